package dev.stint.broker.pgroles;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads one grant clause (grammar in {@link Grants}). It never builds SQL from the text: it reads
 * keywords and names into a {@link GrantClause}, which renders its own SQL. Anything outside the
 * grammar is refused with the column where reading stopped and what to write instead.
 */
final class GrantParser {

    static final int MAX_LENGTH = 1000;

    private enum Type { WORD, COMMA, DOT, END }

    private record Token(Type type, String text, int column) {

        boolean is(String keyword) {
            return type == Type.WORD && text.equalsIgnoreCase(keyword);
        }

        String shown() {
            return type == Type.END ? "the end" : "'" + text + "'";
        }
    }

    private final List<Token> tokens;
    private int next;

    private GrantParser(List<Token> tokens) {
        this.tokens = tokens;
    }

    /**
     * Reads {@code text} as one clause.
     *
     * @throws IllegalArgumentException "grant rejected ..." with the column and what to do instead
     */
    static GrantClause parse(String text) {
        if (text == null || text.isBlank()) {
            throw new IllegalArgumentException(
                    "grant rejected: it is empty (write privileges ON objects, e.g. SELECT ON ALL TABLES IN SCHEMA public)");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("grant rejected: it is longer than " + MAX_LENGTH + " characters");
        }
        return new GrantParser(tokenize(text)).clause();
    }

    private GrantClause clause() {
        Set<Privilege> privileges = privileges();
        ObjectKind kind = kind();
        for (Privilege privilege : privileges) {
            if (!kind.accepts(privilege)) {
                throw new IllegalArgumentException("grant rejected: " + privilege + " does not apply to " + kind.sql()
                        + " (it takes " + kind.acceptedPrivileges() + ")");
            }
        }
        List<String> objects = names(kind);
        Token rest = take();
        if (rest.type() != Type.END) {
            throw error(rest, trailing(rest));
        }
        return new GrantClause(privileges, kind, objects);
    }

    private Set<Privilege> privileges() {
        Set<Privilege> privileges = EnumSet.noneOf(Privilege.class);
        while (true) {
            Token word = take();
            if (word.type() != Type.WORD) {
                throw error(word, "expected a privilege such as SELECT, found " + word.shown());
            }
            if (word.is("GRANT")) {
                throw error(word, "write only what follows GRANT, e.g. SELECT ON ALL TABLES IN SCHEMA public");
            }
            if (word.is("ALL")) {
                throw error(word, "ALL PRIVILEGES is not allowed: list the privileges (ALL means more with each"
                        + " PostgreSQL release)");
            }
            if (word.is("ON")) {
                throw error(word, "expected a privilege before ON");
            }
            Privilege privilege = Privilege.of(word.text()).orElseThrow(() -> error(word,
                    word.shown() + " is not a privilege Stint grants (allowed: " + Privilege.allowed() + ")"));
            if (!privileges.add(privilege)) {
                throw error(word, privilege + " is listed twice");
            }
            Token after = take();
            if (after.is("ON")) {
                return privileges;
            }
            if (after.type() != Type.COMMA) {
                throw error(after, "expected ',' or ON after " + privilege + ", found " + after.shown());
            }
        }
    }

    private ObjectKind kind() {
        Token word = take();
        String upper = word.type() == Type.WORD ? word.text().toUpperCase(Locale.ROOT) : "";
        switch (upper) {
            case "TABLE":
                return ObjectKind.TABLE;
            case "SEQUENCE":
                return ObjectKind.SEQUENCE;
            case "SCHEMA":
                return ObjectKind.SCHEMA;
            case "DATABASE":
                return ObjectKind.DATABASE;
            case "ALL":
                return allInSchema();
            case "FUNCTION", "PROCEDURE", "ROUTINE":
                throw error(word, "single functions are not supported: use ALL FUNCTIONS IN SCHEMA name");
            default:
                throw error(word, "expected TABLE, SEQUENCE, SCHEMA, DATABASE or ALL TABLES|SEQUENCES|FUNCTIONS"
                        + " IN SCHEMA after ON, found " + word.shown() + " (name the kind: ON TABLE orders)");
        }
    }

    private ObjectKind allInSchema() {
        Token what = take();
        ObjectKind kind;
        if (what.is("TABLES")) {
            kind = ObjectKind.ALL_TABLES;
        } else if (what.is("SEQUENCES")) {
            kind = ObjectKind.ALL_SEQUENCES;
        } else if (what.is("FUNCTIONS")) {
            kind = ObjectKind.ALL_FUNCTIONS;
        } else {
            throw error(what, "expected TABLES, SEQUENCES or FUNCTIONS after ALL, found " + what.shown());
        }
        for (String keyword : List.of("IN", "SCHEMA")) {
            Token word = take();
            if (!word.is(keyword)) {
                throw error(word, "expected " + keyword + ", found " + word.shown() + " (write " + kind.sql()
                        + " name)");
            }
        }
        return kind;
    }

    private List<String> names(ObjectKind kind) {
        Set<String> names = new LinkedHashSet<>();
        String after = kind.sql();
        while (true) {
            Token first = take();
            String name = name(first, after);
            if (peek().type() == Type.DOT) {
                Token dot = take();
                if (!kind.schemaQualified()) {
                    throw error(dot, kind.sql() + " takes plain names, not schema.name");
                }
                name = name + "." + name(take(), "'.'");
            }
            if (!names.add(name)) {
                throw error(first, "'" + name + "' is named twice");
            }
            if (peek().type() != Type.COMMA) {
                return new ArrayList<>(names);
            }
            take();
            after = "','";
        }
    }

    private String name(Token token, String after) {
        if (token.type() != Type.WORD) {
            throw error(token, "expected a name after " + after + ", found " + token.shown());
        }
        try {
            return Identifiers.require(token.text(), "name");
        } catch (IllegalArgumentException e) {
            throw error(token, e.getMessage());
        }
    }

    private static String trailing(Token token) {
        if (token.is("TO")) {
            return "TO is not allowed: Stint grants to each task's own login";
        }
        if (token.is("WITH")) {
            return "WITH GRANT OPTION is not allowed: a task login must not pass its rights on";
        }
        if (token.is("GRANTED")) {
            return "GRANTED BY is not allowed";
        }
        return "unexpected " + token.shown() + " after the names (separate names with ',')";
    }

    private Token take() {
        Token token = peek();
        if (token.type() != Type.END) {
            next++;
        }
        return token;
    }

    private Token peek() {
        return tokens.get(next);
    }

    private static IllegalArgumentException error(Token at, String why) {
        return error(at.column(), why);
    }

    private static IllegalArgumentException error(int column, String why) {
        return new IllegalArgumentException("grant rejected at column " + column + ": " + why);
    }

    private static List<Token> tokenize(String text) {
        List<Token> tokens = new ArrayList<>();
        int i = 0;
        while (i < text.length()) {
            char ch = text.charAt(i);
            int column = i + 1;
            if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r') {
                i++;
            } else if (isWordChar(ch)) {
                int start = i;
                while (i < text.length() && isWordChar(text.charAt(i))) {
                    i++;
                }
                tokens.add(new Token(Type.WORD, text.substring(start, i), column));
            } else if (ch == ',' || ch == '.') {
                tokens.add(new Token(ch == ',' ? Type.COMMA : Type.DOT, String.valueOf(ch), column));
                i++;
            } else {
                throw error(column, refusedCharacter(text, i));
            }
        }
        tokens.add(new Token(Type.END, "", text.length() + 1));
        return tokens;
    }

    private static boolean isWordChar(char ch) {
        return ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || ch == '_' || ch == '$';
    }

    private static String refusedCharacter(String text, int i) {
        char ch = text.charAt(i);
        char following = i + 1 < text.length() ? text.charAt(i + 1) : ' ';
        if (ch == ';') {
            return "';' is a statement separator: a grant is one clause (give several as a list)";
        }
        if (ch == '"') {
            return "quoted names are not supported: write names unquoted, in lower case";
        }
        if (ch == '\'') {
            return "a grant has no strings";
        }
        if (ch == '-' && following == '-' || ch == '/' && following == '*') {
            return "comments are not allowed";
        }
        if (ch == '(') {
            return "'(' is not allowed: column lists and function signatures are not supported";
        }
        if (ch < ' ' || ch >= 0x7f) {
            return Characters.describe(text.codePointAt(i)) + " is not allowed: a grant is plain ASCII letters,"
                    + " digits, '_', '$', ',' and '.' (lookalike letters are refused)";
        }
        return Characters.describe(ch) + " is not allowed: a grant is plain ASCII letters, digits, '_', '$', ','"
                + " and '.'";
    }
}
