"""The shared results cache: a store of executions and renders that CI and authors share.

A course's local cache (clm.state.cache) stays the first place a build
looks; the remote store is layered under it (clm.remote.layered), behind the
same ``ResultsCache`` seam. The store is a folder or a bucket that fsspec
reaches (``file://``, ``s3://``, ``gs://``, read-only ``https://``), laid
out like Bazel's remote cache (clm.remote.store): content-addressed blobs,
small signed entries naming a key's blob, one namespace per kind of builder,
and each pushing build's manifest of the keys it used. There is no server,
lock or index to keep: blobs are written first, entries last, each at once.

Trust is by namespace (clm.remote.settings): a build reads the namespaces it
trusts (``ci-main`` unless told otherwise) and writes only its own, and an
entry counts only when it is signed by the course's key (clm.remote.signing)
for the namespace it was found in.
"""
