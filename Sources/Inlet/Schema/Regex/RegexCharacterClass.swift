/// A set of Unicode scalars matched by one regex atom: a literal, `.`, an escape such as `\d`, or a bracketed class.
struct RegexCharacterClass: Hashable, Sendable {
    /// One member of a class.
    enum Item: Hashable, Sendable {
        case range(ClosedRange<UInt32>)
        case digit(negated: Bool)
        case word(negated: Bool)
        case space(negated: Bool)
        case property(RegexUnicodeProperty, negated: Bool)
    }

    var items: [Item]
    var negated: Bool

    init(items: [Item], negated: Bool = false) {
        self.items = items
        self.negated = negated
    }

    /// `.` without the `s` flag: every scalar except line terminators.
    static let dot = RegexCharacterClass(
        items: [.range(0x0A...0x0A), .range(0x0D...0x0D), .range(0x2028...0x2029)], negated: true)

    func matches(_ scalar: UInt32) -> Bool {
        var found = false
        for item in items where Self.item(item, matches: scalar) {
            found = true
            break
        }
        return found != negated
    }

    private static func item(_ item: Item, matches scalar: UInt32) -> Bool {
        switch item {
        case .range(let range): return range.contains(scalar)
        case .digit(let negated): return isDigit(scalar) != negated
        case .word(let negated): return isWord(scalar) != negated
        case .space(let negated): return isSpace(scalar) != negated
        case .property(let property, let negated):
            guard let unicodeScalar = Unicode.Scalar(scalar) else { return negated }
            return property.matches(unicodeScalar) != negated
        }
    }

    /// ECMA-262 `\d`: ASCII digits only.
    static func isDigit(_ scalar: UInt32) -> Bool { scalar >= 0x30 && scalar <= 0x39 }

    /// ECMA-262 `\w`: ASCII letters, digits and `_`.
    static func isWord(_ scalar: UInt32) -> Bool {
        isDigit(scalar) || (scalar >= 0x41 && scalar <= 0x5A) || (scalar >= 0x61 && scalar <= 0x7A) || scalar == 0x5F
    }

    /// ECMA-262 `\s`: WhiteSpace and LineTerminator.
    static func isSpace(_ scalar: UInt32) -> Bool {
        switch scalar {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
            return true
        default:
            return false
        }
    }
}

/// A Unicode property usable in `\p{…}` and `\P{…}`: a general category (or group of them) or a binary property.
enum RegexUnicodeProperty: Hashable, Sendable {
    case categories([Unicode.GeneralCategory])
    case any
    case ascii
    case alphabetic
    case whiteSpace
    case uppercase
    case lowercase
    case emoji

    func matches(_ scalar: Unicode.Scalar) -> Bool {
        switch self {
        case .categories(let categories): return categories.contains(scalar.properties.generalCategory)
        case .any: return true
        case .ascii: return scalar.isASCII
        case .alphabetic: return scalar.properties.isAlphabetic
        case .whiteSpace: return scalar.properties.isWhitespace
        case .uppercase: return scalar.properties.isUppercase
        case .lowercase: return scalar.properties.isLowercase
        case .emoji: return scalar.properties.isEmoji
        }
    }

    /// Looks up a property by its ECMA-262 name (`L`, `Letter`, `gc=Lu`, `General_Category=Letter`, `Alphabetic`).
    init?(name: String) {
        var name = name
        for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) {
            name = String(name.dropFirst(prefix.count))
        }
        if let categories = Self.generalCategories[name] {
            self = .categories(categories)
            return
        }
        switch name {
        case "Any": self = .any
        case "ASCII": self = .ascii
        case "Alphabetic", "Alpha": self = .alphabetic
        case "White_Space", "space": self = .whiteSpace
        case "Uppercase", "Upper": self = .uppercase
        case "Lowercase", "Lower": self = .lowercase
        case "Emoji": self = .emoji
        default: return nil
        }
    }

    private static let generalCategories: [String: [Unicode.GeneralCategory]] = {
        typealias Category = Unicode.GeneralCategory
        let single: [(String, String, Category)] = [
            ("Lu", "Uppercase_Letter", .uppercaseLetter), ("Ll", "Lowercase_Letter", .lowercaseLetter),
            ("Lt", "Titlecase_Letter", .titlecaseLetter), ("Lm", "Modifier_Letter", .modifierLetter),
            ("Lo", "Other_Letter", .otherLetter), ("Mn", "Nonspacing_Mark", .nonspacingMark),
            ("Mc", "Spacing_Mark", .spacingMark), ("Me", "Enclosing_Mark", .enclosingMark),
            ("Nd", "Decimal_Number", .decimalNumber), ("Nl", "Letter_Number", .letterNumber),
            ("No", "Other_Number", .otherNumber), ("Pc", "Connector_Punctuation", .connectorPunctuation),
            ("Pd", "Dash_Punctuation", .dashPunctuation), ("Ps", "Open_Punctuation", .openPunctuation),
            ("Pe", "Close_Punctuation", .closePunctuation), ("Pi", "Initial_Punctuation", .initialPunctuation),
            ("Pf", "Final_Punctuation", .finalPunctuation), ("Po", "Other_Punctuation", .otherPunctuation),
            ("Sm", "Math_Symbol", .mathSymbol), ("Sc", "Currency_Symbol", .currencySymbol),
            ("Sk", "Modifier_Symbol", .modifierSymbol), ("So", "Other_Symbol", .otherSymbol),
            ("Zs", "Space_Separator", .spaceSeparator), ("Zl", "Line_Separator", .lineSeparator),
            ("Zp", "Paragraph_Separator", .paragraphSeparator), ("Cc", "Control", .control),
            ("Cf", "Format", .format), ("Cs", "Surrogate", .surrogate), ("Co", "Private_Use", .privateUse),
            ("Cn", "Unassigned", .unassigned),
        ]
        var table: [String: [Category]] = [:]
        for (short, long, category) in single {
            table[short] = [category]
            table[long] = [category]
        }
        let groups: [(String, String)] = [
            ("L", "Letter"), ("M", "Mark"), ("N", "Number"), ("P", "Punctuation"), ("S", "Symbol"),
            ("Z", "Separator"), ("C", "Other"),
        ]
        for (short, long) in groups {
            let members = single.filter { $0.0.hasPrefix(short) }.map(\.2)
            table[short] = members
            table[long] = members
        }
        table["LC"] = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter]
        table["Cased_Letter"] = table["LC"]
        return table
    }()
}
