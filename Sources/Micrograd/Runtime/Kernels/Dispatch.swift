/// The one entry point from an ``Operation`` to its kernel.
///
/// Eager ops compute their value through it (``Tensor/forward(into:)``) and
/// the interpreter runs every instruction through it, so no op's arithmetic
/// is written twice.
enum Kernels {
  /// Runs `operation` on `inputs` (shaped `inputShapes`) into `outputs`
  /// (shaped `outputShapes`).
  static func execute(
    _ operation: Operation, _ inputs: [UnsafePointer<Float>], _ inputShapes: [Shape],
    _ outputs: [UnsafeMutablePointer<Float>], _ outputShapes: [Shape]
  ) {
    if case .optimizerStep(let rule) = operation {
      // In place: parameter, gradient, learning rate, step count, buffers…
      OptimizerUpdate.apply(
        rule, UnsafeMutablePointer(mutating: inputs[0]), inputs[1], learningRate: inputs[2][0],
        step: UnsafeMutablePointer(mutating: inputs[3]), inputs[4...].map { UnsafeMutablePointer(mutating: $0) },
        count: inputShapes[0].count)
      return
    }
    if case .sgdProduct(let transposeA, let transposeB) = operation {
      // In place: parameter, a, b, learning rate, step count.
      let (m, n) = (inputShapes[0][0], inputShapes[0][1])
      let k = transposeA ? inputShapes[1][0] : inputShapes[1][1]
      UnsafeMutablePointer(mutating: inputs[4])[0] += 1
      Gemm.multiply(
        inputs[1], transposeA: transposeA, inputs[2], transposeB: transposeB, UnsafeMutablePointer(mutating: inputs[0]),
        m: m, n: n, k: k, scale: -inputs[3][0], accumulate: true)
      return
    }
    let out = outputs[0]
    let shape = outputShapes[0]
    switch operation {
    case .unary(let f):
      unary(f, inputs[0], out, shape)
    case .binary(let f):
      binary(f, inputs[0], inputShapes[0], inputs[1], inputShapes[1], out, shape)
    case .select:
      Elementwise.select(inputs[0], inputShapes[0], inputs[1], inputShapes[1], inputs[2], inputShapes[2], out, shape)
    case .reduce(let f, let axes):
      Reduction.reduce(f, inputs[0], inputShapes[0], axes: axes, out)
    case .reshape, .assign:
      if UnsafePointer(out) != inputs.last! { out.update(from: inputs.last!, count: shape.count) }
    case .expand:
      Elementwise.gather(inputs[0], offset: 0, strides: inputShapes[0].broadcastStrides(to: shape), out, shape)
    case .permute(let axes):
      let strides = inputShapes[0].strides
      Elementwise.gather(inputs[0], offset: 0, strides: axes.map { strides[$0] }, out, shape)
    case .slice(let axis, let start, let step):
      Elementwise.gather(inputs[0], out, sliceLayout(inputShapes[0], axis: axis, start: start, step: step, shape))
    case .sliceScatter(let axis, let start, let step):
      let (offset, strides) = slicePositions(in: shape, axis: axis, start: start, step: step)
      Elementwise.fill(out, 0, count: shape.count)
      Elementwise.scatter(inputs[0], inputShapes[0], into: out, offset: offset, strides: strides)
    case .concatenate(let axis):
      let strides = shape.strides
      var first = 0
      for (part, partShape) in zip(inputs, inputShapes) {
        Elementwise.scatter(part, partShape, into: out, offset: first * strides[axis], strides: strides)
        first += partShape[axis]
      }
    case .logsumexp(let axes):
      Reduction.logSumExp(inputs[0], inputShapes[0], axes: axes, out)
    case .oneHot(let classes):
      if Elementwise.oneHot(inputs[0], count: inputShapes[0].count, classes: classes, out) != nil {
        Kernels.markInvalidRows(inputs[0], count: inputShapes[0].count, classes: classes, out)
      }
    case .embedding:
      let table = inputShapes[1]
      _ = Elementwise.embedding(
        inputs[0], count: inputShapes[0].count, inputs[1], rows: table[0], width: table[1], out)
    case .embeddingBackward(let rows):
      let width = shape[1]
      Elementwise.embeddingBackward(inputs[0], count: inputShapes[0].count, inputs[1], rows: rows, width: width, out)
    case .custom(let name):
      CustomOpRegistry.run(name, inputs, inputShapes, out, shape)
    case .matmul(let transposeA, let transposeB):
      Gemm.batched(inputs[0], inputShapes[0], transposeA, inputs[1], inputShapes[1], transposeB, out, shape)
    case .optimizerStep, .sgdProduct: break  // handled above: no output
    case .fused(let kernel):
      FusedEvaluator.run(FusedEvaluator.Plan(kernel, shape, inputs, inputShapes, outputs: outputs))
    case .fusedReduce(let kernel, let f, let axes):
      FusedReduction.run(FusedReduction.Plan(kernel, f, axes: axes, inputs, inputShapes, outputs))
    case .matmulEpilogue(let transposeA, let transposeB, let kernel):
      // The product lands in the first output; the kernel then runs over it in place.
      let plan = Gemm.BatchPlan(inputShapes[0], transposeA: transposeA, inputShapes[1], transposeB: transposeB, shape)
      Gemm.batched(inputs[0], inputs[1], out, plan)
      FusedEvaluator.run(FusedEvaluator.epiloguePlan(kernel, product: out, inputs, inputShapes, outputs, shape))
    }
  }

  /// Runs `.unary(f)`: the entry for one input, without arrays.
  @inline(__always)
  static func unary(_ f: UnaryFunction, _ x: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>, _ shape: Shape) {
    Elementwise.unary(f, x, out, count: shape.count)
  }

  /// Runs `.binary(f)`: the entry for two inputs, without arrays.
  @inline(__always)
  static func binary(
    _ f: BinaryFunction, _ a: UnsafePointer<Float>, _ aShape: Shape, _ b: UnsafePointer<Float>, _ bShape: Shape,
    _ out: UnsafeMutablePointer<Float>, _ shape: Shape
  ) {
    Elementwise.binary(f, a, aShape, b, bShape, out, shape)
  }

  /// The walk reading a slice (`axis`, `start`, `step`) of an input shaped
  /// `input` into an output shaped `shape`.
  static func sliceLayout(_ input: Shape, axis: Int, start: Int, step: Int, _ shape: Shape) -> StridedRows.Layout {
    let (offset, strides) = slicePositions(in: input, axis: axis, start: start, step: step)
    return StridedRows.Layout(shape: shape, strides: [strides], base: [offset])
  }

  /// Fills the one-hot rows of invalid class indices with NaN, so a bad
  /// target shows in the loss of a compiled program.
  static func markInvalidRows(
    _ indices: UnsafePointer<Float>, count: Int, classes: Int, _ out: UnsafeMutablePointer<Float>
  ) {
    for i in 0..<count {
      let index = indices[i]
      if !(index >= 0 && index < Float(classes) && index == index.rounded()) {
        (out + i * classes).update(repeating: .nan, count: classes)
      }
    }
  }
}
