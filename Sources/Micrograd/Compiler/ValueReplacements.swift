/// Which value stands for which: the record a rewriting pass keeps of the
/// values it replaced by others (`%5` is now `%4`).
///
/// An array indexed by ``ValueID`` rather than a dictionary: every input of
/// every instruction is looked up here, and a lookup is then one load.
/// Values appended to the program after it was made are simply not replaced
/// until ``replace(_:with:)`` says so.
struct ValueReplacements {
  /// For each value, the value standing for it (itself when not replaced).
  private var standIn: [ValueID]
  /// Whether any value has been replaced.
  private(set) var isEmpty = true

  /// No replacements yet, for a program of `count` values.
  init(count: Int) {
    standIn = Array(0..<count)
  }

  /// Makes every later lookup of `old` read `new` (and whatever stands for it).
  mutating func replace(_ old: ValueID, with new: ValueID) {
    if old >= standIn.count { standIn += standIn.count...old }
    standIn[old] = new
    isEmpty = false
  }

  /// `id` followed through the replacements to the value that stands for it
  /// (`a → b`, `b → c` gives `c`).
  func resolve(_ id: ValueID) -> ValueID {
    var id = id
    while id < standIn.count, standIn[id] != id { id = standIn[id] }
    return id
  }
}

extension Program {
  /// Makes every read of a replaced value read its stand-in instead: in
  /// instruction inputs (never an in-place target) and in ``outputs``.
  ///
  /// Only inputs that change are written, so instructions already reading
  /// the stand-ins are not copied. A returned value keeps its name: an
  /// unnamed temporary standing in for it takes it over.
  mutating func replaceUses(_ replacements: ValueReplacements) {
    guard !replacements.isEmpty else { return }
    for index in instructions.indices { resolveInputs(of: index, replacements) }
    for (k, old) in outputs.enumerated() {
      let new = replacements.resolve(old)
      guard new != old else { continue }
      outputs[k] = new
      if values[new].role == .temporary && values[new].name.isEmpty { values[new].name = values[old].name }
    }
  }

  /// Points the inputs of instruction `index` (never an in-place target) at
  /// their stand-ins, writing only the ones that change.
  mutating func resolveInputs(of index: Int, _ replacements: ValueReplacements) {
    guard !replacements.isEmpty else { return }
    var inputs = instructions[index].inputs  // shared: copied only if an input changes
    var changed = false
    for k in inputs.indices {
      let new = replacements.resolve(inputs[k])
      if new != inputs[k] && !instructions[index].isInPlaceTarget(k) {
        inputs[k] = new
        changed = true
      }
    }
    if changed { instructions[index].inputs = inputs }
  }
}
