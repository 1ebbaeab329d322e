package dev.stint.broker.http;

/** What the broker reads of a request at most: past these it answers 4xx before reading on. */
public final class RequestLimits {

    /** Request bodies above this size are refused with 413 before they are read. */
    public static final int MAX_BODY_BYTES = 64 * 1024;

    private RequestLimits() {
    }
}
