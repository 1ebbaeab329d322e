package dev.stint.broker.pgroles;

/** How a rejected input is shown in a message: escaped, so that it cannot forge a log line, and short. */
final class Characters {

    private static final int SHOWN = 40;

    private Characters() {
    }

    /** One character as a reader sees it: {@code ';'}, or {@code U+0455} when it is not printable ASCII. */
    static String describe(int ch) {
        return ch > ' ' && ch < 0x7f ? "'" + (char) ch + "'" : String.format("U+%04X", ch);
    }

    /** {@code text} with every character that is not printable ASCII written as {@code \\u0455}. */
    static String printable(String text) {
        StringBuilder out = new StringBuilder();
        shortened(text).chars().forEach(ch -> {
            if (ch >= ' ' && ch < 0x7f) {
                out.append((char) ch);
            } else {
                out.append(String.format("\\u%04x", ch));
            }
        });
        return out.toString();
    }

    /** The first characters of {@code text}, marked as cut when it is longer. */
    static String shortened(String text) {
        return text.length() <= SHOWN ? text : text.substring(0, SHOWN) + "...";
    }
}
