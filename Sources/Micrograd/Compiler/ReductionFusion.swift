/// Reduction fusion: an elementwise producer (a `fused` kernel or a single
/// elementwise instruction) folded into the reduction that reads it, so the
/// elementwise values are reduced as they are computed and never stored.
///
/// ```
/// %4 = mul %0, %1 : f32[5,3]                 %5 = fused{$2 = mul($0, $1) -> sum[axes=0,1]($2)} %0, %1
/// %5 = sum[axes=0,1] %4 : f32[]      ──►     # fused mul into sum
/// ```
///
/// Only when the reduced value is needed nowhere else (not by another
/// instruction, not as a program output) and both are in one section; else a
/// note on the reduction says why. The producer's other outputs (values its
/// kernel already stores for other readers) stay outputs of the new
/// instruction. It takes the producer's place, where all it reads is ready
/// and before anything reads what it makes.
struct ReductionFusion: Pass {
  let name = "reduction-fusion"

  func run(_ program: inout Program) {
    // Nothing to do without a reduction (the use lists alone cost a pass over every value).
    guard program.instructions.contains(where: { if case .reduce = $0.operation { true } else { false } }) else {
      return
    }
    let uses = FusionUses(program)
    var instructions = program.instructions
    var absorbed: Set<Int> = []
    for r in instructions.indices {
      guard case .reduce(let f, let axes) = instructions[r].operation else { continue }
      let reduction = instructions[r]
      let value = reduction.inputs[0]
      guard let p = uses.producer[value] else { continue }
      let producer = instructions[p]
      if let reason = refusal(producer, value, reduction: r, uses, program) {
        instructions[r].addNotes([Program.notFused(value, reason)])
        continue
      }
      let (kernel, inputs) =
        if case .fused(let existing) = producer.operation {
          (existing.movingOutputToFront(producer.outputs.firstIndex(of: value)!), producer.inputs)
        } else {
          FusedKernel.computing([producer], outputs: [value])
        }
      let summary = "fused \(kernel.stepNames) into \(reduction.operation.name)"
      instructions[p] = Instruction(
        .fusedReduce(kernel, f, axes: axes), inputs: inputs,
        outputs: reduction.outputs + producer.outputs.filter { $0 != value }, section: reduction.section,
        location: producer.location, noteList: program.fusionNotes(summary, members: [producer, reduction]))
      absorbed.insert(r)
    }
    program.instructions =
      absorbed.isEmpty ? instructions : instructions.indices.filter { !absorbed.contains($0) }.map { instructions[$0] }
  }

  /// Why `producer` (which makes `value`) cannot be folded into the
  /// reduction at index `r`, if so.
  func refusal(
    _ producer: Instruction, _ value: ValueID, reduction r: Int, _ uses: FusionUses, _ program: Program
  ) -> String? {
    let reduction = program.instructions[r]
    switch producer.operation {
    case .fused: break
    case let operation where operation.isElementwise: break
    default: return "producer is \(producer.operation.name)"
    }
    if producer.section != reduction.section {
      return "producer is in \(producer.section.rawValue), this in \(reduction.section.rawValue)"
    }
    if uses.isOutput[value] { return "%\(value) is a program output" }
    if let other = uses.users(of: value).first(where: { $0 != r }) {
      return "%\(value) is also read by \(program.noteLabel(program.instructions[other]))"
    }
    return nil
  }
}
