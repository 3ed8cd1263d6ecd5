/** A point in the plane. The deck loads this file into the notebook. */
public record Point(double x, double y) {
    public static final Point ORIGIN = new Point(0, 0);

    public double distanceTo(Point other) {
        return Math.hypot(x - other.x, y - other.y);
    }

    public Point movedBy(double dx, double dy) {
        return new Point(x + dx, y + dy);
    }
}
