/// Computes each distinct expression once: instructions with the same
/// operation on the same inputs (giving the same shapes) become one, and
/// constants with the same shape and data become one.
///
/// Constants merge first (by shape and bit pattern, so `-0` and `0` stay
/// apart), then one walk in program order keeps the first instruction of
/// each kind and points every later use of a repeat (instruction inputs,
/// assign sources, outputs) at the first one's results. Chains collapse in
/// the same walk: once `%5` stands for `%4`, `mul %5, %1` is `mul %4, %1`.
///
/// `add`, `mul`, `eq` and `ne` are commutative bit for bit in IEEE
/// arithmetic, so their inputs are compared in either order (`max`/`min`
/// are not: `max(0, -0)` picks by order). Reading a buffer an `assign`
/// overwrites is never matched across that assign. A kept instruction takes
/// the earliest section of those merged into it, so forward code never
/// waits on a backward-labelled instruction.
///
/// ```
/// %20 = mul %19, %11 : f32[5,1]         %20 = mul %19, %11 : f32[5,1]
/// %21 = mul %19, %11 : f32[5,1]   ──►   %22 = add %20, %20 : f32[5,1]
/// %22 = add %20, %21 : f32[5,1]
/// ```
struct CommonSubexpressionElimination: Pass {
  var name: String { "cse" }

  /// What makes two constants the same: shape and bit patterns (compared
  /// in place, so a key copies no data).
  private struct ConstantKey: Hashable {
    var shape: Shape
    var data: [Float]

    static func == (a: ConstantKey, b: ConstantKey) -> Bool {
      a.shape == b.shape && a.data.count == b.data.count
        && zip(a.data, b.data).allSatisfy { $0.bitPattern == $1.bitPattern }
    }

    func hash(into hasher: inout Hasher) {
      hasher.combine(shape)
      for x in data { hasher.combine(x.bitPattern) }
    }
  }

  func run(_ program: inout Program) {
    var replacements = mergedConstants(program)
    var kept = KeptInstructions(count: program.instructions.count)
    // Instructions are rewritten in place and marked; only repeats are dropped at the end.
    var isKept = Array(repeating: true, count: program.instructions.count)
    // The kept instructions reading each buffer some instruction overwrites
    // in place (found without a scan of every one at each overwrite).
    let overwritten = Set(program.instructions.flatMap(\.inPlaceTargets))
    var keptReading: [ValueID: [Int]] = [:]
    for index in program.instructions.indices {
      program.resolveInputs(of: index, replacements)
      let targets = program.instructions[index].inPlaceTargets
      if !targets.isEmpty {
        // Reads of the targets after this point see new data: forget the old ones.
        for target in targets {
          for reader in keptReading.removeValue(forKey: target) ?? [] { kept.forget(reader) }
        }
        continue
      }
      let hash = Self.hash(of: index, program)
      if let first = kept.first(where: { Self.computeTheSame($0, index, program) }, hash: hash) {
        for (repeated, original) in zip(program.instructions[index].outputs, program.instructions[first].outputs) {
          replacements.replace(repeated, with: original)
        }
        let section = program.instructions[index].section
        if section.rank < program.instructions[first].section.rank { program.instructions[first].section = section }
        isKept[index] = false
      } else {
        kept.insert(index, hash: hash)
        for id in program.instructions[index].inputs where overwritten.contains(id) {
          keptReading[id, default: []].append(index)
        }
      }
    }
    if isKept.contains(false) {
      program.instructions = program.instructions.indices.filter { isKept[$0] }.map { program.instructions[$0] }
    }
    program.replaceUses(replacements)
  }

  /// A hash of what instruction `index` computes: its operation and inputs
  /// (in canonical order). Output shapes, which equal instructions share
  /// too, are left to the comparison: reading every value's shape here cost
  /// more than the rare collision it would avoid.
  private static func hash(of index: Int, _ program: Program) -> Int {
    var hasher = Hasher()
    let operation = program.instructions[index].operation
    hasher.combine(operation)
    let inputs = program.instructions[index].inputs
    if isCommutative(operation) {
      hasher.combine(min(inputs[0], inputs[1]))
      hasher.combine(max(inputs[0], inputs[1]))
    } else {
      for id in inputs { hasher.combine(id) }
    }
    return hasher.finalize()
  }

  /// Whether instructions `a` and `b` compute the same values: the same
  /// operation on the same inputs (in canonical order), giving the same shapes.
  private static func computeTheSame(_ a: Int, _ b: Int, _ program: Program) -> Bool {
    let (first, second) = (program.instructions[a], program.instructions[b])
    return first.operation == second.operation && canonicalInputs(first) == canonicalInputs(second)
      && first.outputs.count == second.outputs.count
      && zip(first.outputs, second.outputs).allSatisfy { program.values[$0].shape == program.values[$1].shape }
  }

  /// Each constant replaced by the first constant with the same shape and data.
  private func mergedConstants(_ program: Program) -> ValueReplacements {
    var first: [ConstantKey: ValueID] = [:]
    var replacements = ValueReplacements(count: program.values.count)
    for (id, value) in program.values.enumerated() {
      guard case .constant(let data) = value.role else { continue }
      let key = ConstantKey(shape: value.shape, data: data)
      if let original = first[key] {
        replacements.replace(id, with: original)
      } else {
        first[key] = id
      }
    }
    return replacements
  }

  /// The inputs, sorted for an operation whose result does not depend on
  /// their order.
  private static func canonicalInputs(_ instruction: Instruction) -> [ValueID] {
    isCommutative(instruction.operation) ? instruction.inputs.sorted() : instruction.inputs
  }

  /// Whether an operation's result does not depend on the order of its inputs.
  private static func isCommutative(_ operation: Operation) -> Bool {
    switch operation {
    case .binary(.add), .binary(.multiply), .binary(.equal), .binary(.notEqual): true
    default: false
    }
  }
}

/// The instructions CSE has kept, by what they compute: a hash table of
/// instruction indices. Each hash names the latest instruction kept with it
/// and each instruction the one kept before it with the same hash; a lookup
/// compares the instructions along that chain. Holding indices, not keys,
/// it copies no operations or arrays.
private struct KeptInstructions {
  private var latest: [Int: Int] = [:]
  private var previous: [Int]
  private var isForgotten: [Bool]

  init(count: Int) {
    latest.reserveCapacity(count)
    previous = Array(repeating: -1, count: count)
    isForgotten = Array(repeating: false, count: count)
  }

  /// The kept instruction with `hash`, not forgotten, that `matches`, if
  /// any (there is at most one: a second would have matched it).
  func first(where matches: (Int) -> Bool, hash: Int) -> Int? {
    var candidate = latest[hash] ?? -1
    while candidate >= 0 {
      if !isForgotten[candidate] && matches(candidate) { return candidate }
      candidate = previous[candidate]
    }
    return nil
  }

  mutating func insert(_ index: Int, hash: Int) {
    previous[index] = latest[hash] ?? -1
    latest[hash] = index
  }

  /// Makes `index` match nothing from now on.
  mutating func forget(_ index: Int) {
    isForgotten[index] = true
  }
}
