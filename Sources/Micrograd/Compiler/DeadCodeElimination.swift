/// Drops the instructions whose results nothing needs.
///
/// A value is needed when the program returns it, an `assign` reads it, or a
/// kept instruction reads it. One walk from the last instruction to the first
/// keeps every `assign` (its effect is the write) and every instruction with
/// a needed output, marking its inputs needed in turn.
///
/// A constant no kept instruction reads and no output returns becomes an
/// unused temporary: it leaves the signature and nothing is stored for it
/// (IDs stay stable; nothing produces or reads it).
///
/// ```
/// %3 = mul %0, %1 : f32[4]            %3 = mul %0, %1 : f32[4]
/// %4 = add %0, %1 : f32[4]     ──►    return %3
/// return %3
/// ```
struct DeadCodeElimination: Pass {
  var name: String { "dce" }

  func run(_ program: inout Program) {
    var needed = Array(repeating: false, count: program.values.count)
    for id in program.outputs { needed[id] = true }
    // Marks first, read in place: instructions are copied only when some are dropped.
    var isKept = Array(repeating: false, count: program.instructions.count)
    for index in program.instructions.indices.reversed() {
      guard
        !program.instructions[index].inPlaceTargets.isEmpty
          || program.instructions[index].outputs.contains(where: { needed[$0] })
      else { continue }
      for id in program.instructions[index].reads { needed[id] = true }
      isKept[index] = true
    }
    if isKept.contains(false) {
      program.instructions = program.instructions.indices.filter { isKept[$0] }.map { program.instructions[$0] }
    }
    for id in program.values.indices where !needed[id] {
      if case .constant = program.values[id].role { program.values[id].role = .temporary }
    }
  }
}
