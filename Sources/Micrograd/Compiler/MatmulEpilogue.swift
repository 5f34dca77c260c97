/// Matmul epilogues: the elementwise work right after a matrix product (a
/// bias add, an activation, a relu-backward mask) runs over the product in
/// place, while it is still in cache, instead of as a pass of its own.
///
/// ```
/// %9 = matmul %0, %2 : f32[8,16]                     %10, %11 = matmul+fused{$2 = add($0, $1);
/// %10, %11 = fused{$2 = add($0, $1);       ──►                  $3 = relu($2) -> $2, $3} %0, %2, %3
///            $3 = relu($2) -> $2, $3} %9, %3         # fused matmul+add+relu
/// ```
///
/// A product gets an epilogue when its only reader is an elementwise
/// instruction or `fused` kernel of the product's own shape (its other inputs
/// broadcast to it) in the same section, and the product is not a program
/// output. The kernel is renumbered so that register 0 is the product; the
/// new instruction reads the two matrices, then the kernel's other inputs,
/// and takes the reader's place. Else a note on the matmul says why not.
struct MatmulEpilogue: Pass {
  let name = "matmul-epilogue"

  func run(_ program: inout Program) {
    // Nothing to do without a product (the use lists alone cost a pass over every value).
    guard program.instructions.contains(where: { if case .matmul = $0.operation { true } else { false } }) else {
      return
    }
    let uses = FusionUses(program)
    var instructions = program.instructions
    var absorbed: Set<Int> = []
    for m in instructions.indices {
      guard case .matmul(let transposeA, let transposeB) = instructions[m].operation else { continue }
      let product = instructions[m]
      let value = product.outputs[0]
      let readers = Array(uses.users(of: value))
      if let reason = refusal(value, readers, instructions, uses, program) {
        instructions[m].addNotes(["no epilogue: " + reason])
        continue
      }
      let reader = instructions[readers[0]]
      var (kernel, inputs) =
        if case .fused(let existing) = reader.operation {
          (existing, reader.inputs)
        } else {
          FusedKernel.computing([reader], outputs: reader.outputs)
        }
      let register = inputs.firstIndex(of: value)!
      kernel = kernel.movingInputToFront(register)
      inputs.remove(at: register)
      instructions[readers[0]] = Instruction(
        .matmulEpilogue(transposeA: transposeA, transposeB: transposeB, kernel), inputs: product.inputs + inputs,
        outputs: reader.outputs, section: reader.section, location: product.location,
        noteList: program.fusionNotes("fused matmul+\(kernel.stepNames)", members: [product, reader]))
      absorbed.insert(m)
    }
    program.instructions =
      absorbed.isEmpty ? instructions : instructions.indices.filter { !absorbed.contains($0) }.map { instructions[$0] }
  }

  /// Why the product `value` (read by `readers`) cannot take an epilogue,
  /// if so.
  func refusal(
    _ value: ValueID, _ readers: [Int], _ instructions: [Instruction], _ uses: FusionUses, _ program: Program
  ) -> String? {
    if uses.isOutput[value] { return "%\(value) is a program output" }
    guard readers.count == 1 else {
      return readers.isEmpty ? "%\(value) is not read" : "%\(value) is read by \(readers.count) instructions"
    }
    let reader = instructions[readers[0]]
    switch reader.operation {
    case .fused: break
    case let operation where operation.isElementwise: break
    default: return "its reader \(program.noteLabel(reader)) is not elementwise"
    }
    if reader.section != program.instructions[uses.producer[value]!].section {
      return "its reader is in \(reader.section.rawValue)"
    }
    let kernel = reader.outputs[0]
    if program.values[kernel].shape != program.values[value].shape {
      return "kernel \(program.type(of: kernel)) is larger than the product \(program.type(of: value))"
    }
    return nil
  }
}
