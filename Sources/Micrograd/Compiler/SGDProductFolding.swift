/// Plain SGD folded into the matrix product that makes its gradient: the
/// weight gradient of a linear layer is never stored, and the update costs
/// no pass of its own.
///
/// ```
/// %54 = matmul.tn %53, %0 : f32[512,784]        sgd+matmul.tn %3, %53, %0, %2, %9
/// ## update                              ──►     # fused matmul.tn+sgd: the gradient is never stored
/// sgd[momentum=0.0,…] %3, %54, %2, %9
/// ```
///
/// `sgd+matmul` runs one `sgemm` with β = 1 and α = −lr straight into the
/// parameter, where the two instructions wrote the gradient (a pass over it
/// to clear it first, another to write it) and then read it, the parameter
/// and wrote the parameter again. The folded update rounds once where the
/// separate ones round three times (the gradient, −lr·g, the sum), so the
/// parameters differ from eager training's in the last bits, as a fused
/// multiply-add would make them differ; losses and gradients are unchanged.
///
/// An `sgd` step folds when it has no momentum, no weight decay and no
/// Nesterov term (then it is exactly `p − lr·g`), and its gradient is a
/// `matmul` of two matrices read by nothing else, not returned, and not
/// reading the parameter itself (the product must not read what it
/// overwrites). Else the step stays, with a note when its gradient is a
/// product.
struct SGDProductFolding: Pass {
  let name = "sgd-product"

  func run(_ program: inout Program) {
    guard program.instructions.contains(where: { Self.isPlainSGD($0.operation) }) else { return }
    let uses = FusionUses(program)
    var instructions = program.instructions
    var absorbed: Set<Int> = []
    for u in instructions.indices where Self.isPlainSGD(instructions[u].operation) {
      let update = instructions[u]
      let (parameter, gradient) = (update.inputs[0], update.inputs[1])
      guard let p = uses.producer[gradient], case .matmul(let transposeA, let transposeB) = instructions[p].operation
      else { continue }
      var product = instructions[p]
      if let reason = refusal(product, parameter, gradient, uses, program) {
        instructions[u].addNotes(["gradient not folded into %\(gradient) (matmul): " + reason])
        continue
      }
      // The product's own note about its missing epilogue no longer applies.
      product.noteList.removeAll {
        if case .text(let text) = $0 { text.hasPrefix("no epilogue") } else { false }
      }
      instructions[u] = Instruction(
        .sgdProduct(transposeA: transposeA, transposeB: transposeB),
        inputs: [parameter] + product.inputs + [update.inputs[2], update.inputs[3]], outputs: [],
        section: update.section, location: update.location,
        noteList: program.fusionNotes(
          "fused \(Program.spelling(product.operation))+sgd: the gradient is never stored", members: [product, update]))
      absorbed.insert(p)
    }
    program.instructions =
      absorbed.isEmpty ? instructions : instructions.indices.filter { !absorbed.contains($0) }.map { instructions[$0] }
  }

  /// Whether `operation` is an SGD step that is exactly `p − lr·g`.
  static func isPlainSGD(_ operation: Operation) -> Bool {
    guard case .optimizerStep(.sgd(let momentum, _, let weightDecay, let nesterov)) = operation else { return false }
    return momentum == 0 && weightDecay == 0 && !nesterov
  }

  /// Why the product making `gradient` cannot take the update of `parameter`, if so.
  func refusal(
    _ product: Instruction, _ parameter: ValueID, _ gradient: ValueID, _ uses: FusionUses, _ program: Program
  ) -> String? {
    if uses.isOutput[gradient] { return "%\(gradient) is a program output" }
    let readers = uses.users(of: gradient).count
    if readers != 1 { return "%\(gradient) is read by \(readers) instructions" }
    if product.inputs.contains(parameter) { return "the product reads the parameter %\(parameter)" }
    let shapes = (product.inputs + [gradient]).map { program.values[$0].shape }
    if !shapes.allSatisfy({ $0.rank == 2 }) { return "a batched product (\(irTypes(shapes)))" }
    return nil
  }
}
