/// The properties and items that keywords of a schema (and of the subschemas applied in place, such as
/// `allOf` branches and `$ref` targets) successfully evaluated: what `unevaluatedProperties` and
/// `unevaluatedItems` leave alone.
struct EvaluatedLocations {
    var allProperties = false
    var properties: Set<String> = []
    var allItems = false
    /// Items `0..<itemPrefix` were evaluated (by `prefixItems`).
    var itemPrefix = 0
    /// Individual items evaluated by `contains`.
    var items: Set<Int> = []

    mutating func merge(_ other: EvaluatedLocations) {
        allProperties = allProperties || other.allProperties
        if !allProperties { properties.formUnion(other.properties) }
        allItems = allItems || other.allItems
        itemPrefix = max(itemPrefix, other.itemPrefix)
        if !allItems { items.formUnion(other.items) }
    }

    func contains(property: String) -> Bool { allProperties || properties.contains(property) }

    func contains(item index: Int) -> Bool { allItems || index < itemPrefix || items.contains(index) }
}
