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

  /// What makes two instructions compute the same values.
  private struct Key: Hashable {
    var operation: Operation
    var inputs: [ValueID]
    /// The first output's shape, then the others' (split so that the key of
    /// a single-output instruction allocates nothing).
    var outputShape: Shape?
    var moreOutputShapes: [Shape]
  }

  /// What makes two constants the same.
  private struct ConstantKey: Hashable {
    var shape: Shape
    var bits: [UInt32]
  }

  func run(_ program: inout Program) {
    var replacements = mergedConstants(program)
    var firstIndex: [Key: Int] = [:]
    firstIndex.reserveCapacity(program.instructions.count)
    // Instructions are rewritten in place and marked; only repeats are dropped at the end.
    var isKept = Array(repeating: true, count: program.instructions.count)
    // The keys reading each buffer some instruction overwrites in place
    // (found without a scan of every key at each overwrite).
    let overwritten = Set(program.instructions.flatMap(\.inPlaceTargets))
    var keysReading: [ValueID: [Key]] = [:]
    for index in program.instructions.indices {
      program.resolveInputs(of: index, replacements)
      let instruction = program.instructions[index]
      let targets = instruction.inPlaceTargets
      if !targets.isEmpty {
        // Reads of the targets after this point see new data: forget the old ones.
        for target in targets {
          for key in keysReading.removeValue(forKey: target) ?? [] { firstIndex.removeValue(forKey: key) }
        }
        continue
      }
      let key = Key(
        operation: instruction.operation, inputs: Self.canonicalInputs(instruction),
        outputShape: instruction.outputs.first.map { program.values[$0].shape },
        moreOutputShapes: instruction.outputs.dropFirst().map { program.values[$0].shape })
      if let first = firstIndex[key] {
        for (repeated, original) in zip(instruction.outputs, program.instructions[first].outputs) {
          replacements.replace(repeated, with: original)
        }
        if instruction.section.rank < program.instructions[first].section.rank {
          program.instructions[first].section = instruction.section
        }
        isKept[index] = false
      } else {
        firstIndex[key] = index
        for id in key.inputs where overwritten.contains(id) { keysReading[id, default: []].append(key) }
      }
    }
    if isKept.contains(false) {
      program.instructions = program.instructions.indices.filter { isKept[$0] }.map { program.instructions[$0] }
    }
    program.replaceUses(replacements)
  }

  /// Each constant replaced by the first constant with the same shape and data.
  private func mergedConstants(_ program: Program) -> ValueReplacements {
    var first: [ConstantKey: ValueID] = [:]
    var replacements = ValueReplacements(count: program.values.count)
    for (id, value) in program.values.enumerated() {
      guard case .constant(let data) = value.role else { continue }
      let key = ConstantKey(shape: value.shape, bits: data.map(\.bitPattern))
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
    switch instruction.operation {
    case .binary(.add), .binary(.multiply), .binary(.equal), .binary(.notEqual):
      // The instruction's own array when already in order: nothing allocated.
      instruction.inputs[0] <= instruction.inputs[1] ? instruction.inputs : instruction.inputs.sorted()
    default: instruction.inputs
    }
  }
}
