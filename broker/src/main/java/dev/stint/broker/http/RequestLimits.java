package dev.stint.broker.http;

/** What the broker reads of a request at most: past these it answers 4xx before reading on. */
public final class RequestLimits {

    /** Request bodies above this size are refused with 413 before they are read. */
    public static final int MAX_BODY_BYTES = 64 * 1024;
    /** A longer request line (method, target, version) is refused with 414. */
    public static final int MAX_REQUEST_LINE_BYTES = 8 * 1024;
    /** Larger request headers, all fields together, are refused with 431. */
    public static final int MAX_HEADER_BYTES = 16 * 1024;
    /** A form with more fields is refused with 400; the OAuth requests need fewer than ten. */
    public static final int MAX_FORM_FIELDS = 32;

    private RequestLimits() {
    }
}
