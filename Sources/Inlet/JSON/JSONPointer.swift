/// JSON Pointer (RFC 6901) helpers, used for the `path` of validation error details.
public enum JSONPointer {
    /// Escapes one reference token: `~` → `~0`, `/` → `~1`.
    public static func escape(_ token: String) -> String {
        guard token.contains("~") || token.contains("/") else { return token }
        var escaped = ""
        for character in token {
            switch character {
            case "~": escaped += "~0"
            case "/": escaped += "~1"
            default: escaped.append(character)
            }
        }
        return escaped
    }

    /// Appends a token to a pointer: `append("/a", "b/c")` is `/a/b~1c`.
    public static func append(_ pointer: String, _ token: String) -> String {
        pointer + "/" + escape(token)
    }

    public static func append(_ pointer: String, _ index: Int) -> String {
        pointer + "/" + String(index)
    }
}
