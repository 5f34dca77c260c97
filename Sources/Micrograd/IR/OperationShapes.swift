/// Each operation's contract with its operands, as the validator checks it:
/// how many inputs and results, which shapes, and for fused kernels which
/// registers. Every check returns a message instead of stopping, and does
/// no arithmetic that can overflow (element counts are checked before).
extension Operation {
  /// Why an instruction of this operation cannot read `inputs` and make
  /// `outputs` (their shapes), or nil when it can.
  func shapeProblem(inputs: [Shape], outputs: [Shape]) -> String? {
    if let problem = arityProblem(inputs: inputs.count, outputs: outputs.count) { return problem }
    if let problem = kernelProblem() { return problem }
    let result = outputs.first ?? Shape([])
    func expect(_ shape: Shape?, _ rule: String) -> String? {
      guard let shape else { return rule }
      return result == shape ? nil : "the result should be \(irType(shape)) (\(rule)), not \(irType(result))"
    }
    switch self {
    case .unary: return expect(inputs[0], "same as the input")
    case .binary:
      return expect(Shape.broadcast(inputs[0], inputs[1]), "\(irTypes(inputs)) do not broadcast")
    case .select:
      let shape = Shape.broadcast(inputs[0], inputs[1]).flatMap { Shape.broadcast($0, inputs[2]) }
      return expect(shape, "\(irTypes(inputs)) do not broadcast")
    case .reduce(_, let axes), .logsumexp(let axes):
      if let error = ShapeRules.reductionAxes(axes, of: inputs[0]) { return error.message }
      if ShapeRules.isReduction(result, of: inputs[0], axes: axes) { return nil }
      return "\(irType(result)) is not \(irType(inputs[0])) reduced over axes \(axes)"
    case .reshape:
      return inputs[0].count == result.count ? nil : "\(irType(inputs[0])) cannot be reshaped to \(irType(result))"
    case .expand:
      return Shape.broadcast(inputs[0], result) == result
        ? nil : "\(irType(inputs[0])) cannot be broadcast to \(irType(result))"
    case .permute(let axes):
      guard axes.count == inputs[0].rank, Set(axes).count == axes.count,
        axes.allSatisfy({ (0..<inputs[0].rank).contains($0) })
      else { return "\(axes) is not a permutation of the axes of \(irType(inputs[0]))" }
      return expect(Shape(axes.map { inputs[0][$0] }), "the input's axes reordered")
    case .slice(let axis, let start, let step):
      return ShapeRules.slice(of: inputs[0], into: result, axis: axis, start: start, step: step)?.message
    case .sliceScatter(let axis, let start, let step):
      return ShapeRules.slice(of: result, into: inputs[0], axis: axis, start: start, step: step)?.message
    case .concatenate(let axis):
      guard axis >= 0 else { return "axis \(axis) is negative" }
      switch ShapeRules.concatenationAxis(inputs, axis) {
      case .failure(let error): return error.message
      case .success:
        var dims = inputs[0].dims
        dims[axis] = inputs.reduce(0) { $0 + $1[axis] }
        return expect(Shape(dims), "the inputs joined along axis \(axis)")
      }
    case .oneHot(let classes):
      guard classes > 0 else { return "needs at least one class, got \(classes)" }
      return expect(Shape(inputs[0].dims + [classes]), "the input's shape and the classes")
    case .embedding:
      guard inputs[1].rank == 2 else { return "the table should be f32[V,D], not \(irType(inputs[1]))" }
      return expect(Shape(inputs[0].dims + [inputs[1][1]]), "the indices' shape and the table's row width")
    case .embeddingBackward(let rows):
      guard rows >= 0 else { return "rows \(rows) is negative" }
      guard inputs[1].rank == inputs[0].rank + 1, Array(inputs[1].dims.dropLast()) == inputs[0].dims else {
        return "the gradient \(irType(inputs[1])) should be the indices' shape \(irType(inputs[0])) and a row width"
      }
      return expect(Shape([rows, inputs[1].dims.last!]), "rows and the gradient's row width")
    case .custom(let name):
      guard let type = CustomOpRegistry.type(named: name) else {
        return "custom op '\(name)' is not registered in this process"
      }
      switch type.checkedShape(for: inputs) {
      case .failure(let error): return "custom op '\(name)': \(error.message)"
      case .success(let shape): return expect(shape, "custom op '\(name)''s shape rule")
      }
    case .matmul(let transposeA, let transposeB):
      switch ShapeRules.matmul(inputs[0], transposeA, inputs[1], transposeB) {
      case .failure(let error): return error.message
      case .success(let shape): return expect(shape, "the matrix product")
      }
    case .assign:
      return inputs[0] == inputs[1] ? nil : "cannot assign \(irType(inputs[1])) to \(irType(inputs[0]))"
    case .optimizerStep:
      guard inputs[2] == [] && inputs[3] == [] else {
        return "the learning rate and step count should be f32[], not \(irType(inputs[2])) and \(irType(inputs[3]))"
      }
      let operands = [inputs[1]] + inputs[4...]
      return operands.allSatisfy { $0 == inputs[0] }
        ? nil : "the gradient and state should have the parameter's shape \(irType(inputs[0])): \(irTypes(inputs))"
    case .sgdProduct(let transposeA, let transposeB):
      guard inputs[3] == [] && inputs[4] == [] else {
        return "the learning rate and step count should be f32[], not \(irType(inputs[3])) and \(irType(inputs[4]))"
      }
      guard inputs[0].rank == 2 && inputs[1].rank == 2 && inputs[2].rank == 2 else {
        return "the parameter and both factors should be matrices: \(irTypes(Array(inputs[0...2])))"
      }
      switch ShapeRules.matmul(inputs[1], transposeA, inputs[2], transposeB) {
      case .failure(let error): return error.message
      case .success(let product):
        return product == inputs[0]
          ? nil : "the product \(irType(product)) should have the parameter's shape \(irType(inputs[0]))"
      }
    case .fused:
      return kernelShapeProblem(kernel: result, inputs: inputs, outputs: outputs)
    case .fusedReduce(_, _, let axes):
      var kernel = Shape([])
      for shape in inputs {
        guard let joined = Shape.broadcast(kernel, shape) else { return "\(irTypes(inputs)) do not broadcast" }
        kernel = joined
      }
      if let error = ShapeRules.reductionAxes(axes, of: kernel) { return error.message }
      guard ShapeRules.isReduction(result, of: kernel, axes: axes) else {
        return "\(irType(result)) is not the kernel \(irType(kernel)) reduced over axes \(axes)"
      }
      return kernelShapeProblem(kernel: kernel, inputs: inputs, outputs: Array(outputs.dropFirst()))
    case .matmulEpilogue(let transposeA, let transposeB, _):
      switch ShapeRules.matmul(inputs[0], transposeA, inputs[1], transposeB) {
      case .failure(let error): return error.message
      case .success(let product):
        return expect(product, "the matrix product")
          ?? kernelShapeProblem(kernel: product, inputs: Array(inputs.dropFirst(2)), outputs: outputs)
      }
    }
  }

  /// Inputs broadcast to the kernel's shape; outputs have it.
  private func kernelShapeProblem(kernel: Shape, inputs: [Shape], outputs: [Shape]) -> String? {
    for shape in inputs where Shape.broadcast(shape, kernel) != kernel {
      return "input \(irType(shape)) does not broadcast to the kernel's shape \(irType(kernel))"
    }
    for shape in outputs where shape != kernel {
      return "result \(irType(shape)) differs from the kernel's shape \(irType(kernel))"
    }
    return nil
  }

  /// How many inputs and results the operation takes, checked.
  func arityProblem(inputs: Int, outputs: Int) -> String? {
    let (inputRange, outputCount): (ClosedRange<Int>, Int)
    switch self {
    case .unary, .reduce, .reshape, .expand, .permute, .slice, .sliceScatter, .logsumexp, .oneHot:
      (inputRange, outputCount) = (1...1, 1)
    case .binary, .matmul, .embedding, .embeddingBackward: (inputRange, outputCount) = (2...2, 1)
    case .custom: (inputRange, outputCount) = (0...Int.max, 1)
    case .select: (inputRange, outputCount) = (3...3, 1)
    case .concatenate: (inputRange, outputCount) = (1...Int.max, 1)
    case .assign: (inputRange, outputCount) = (2...2, 0)
    case .optimizerStep(let rule):
      (inputRange, outputCount) = ((4 + rule.bufferCount)...(4 + rule.bufferCount), 0)
    case .sgdProduct: (inputRange, outputCount) = (5...5, 0)
    case .fused(let kernel), .fusedReduce(let kernel, _, _):
      guard kernel.inputCount >= 0 else { return "the kernel has \(kernel.inputCount) inputs" }
      (inputRange, outputCount) = (kernel.inputCount...kernel.inputCount, max(kernel.outputs.count, 1))
    case .matmulEpilogue(_, _, let kernel):
      guard kernel.inputCount >= 1, kernel.inputCount < Int.max else {
        return "an epilogue kernel reads the product as $0, so it has at least one input; it has \(kernel.inputCount)"
      }
      (inputRange, outputCount) = ((kernel.inputCount + 1)...(kernel.inputCount + 1), max(kernel.outputs.count, 1))
    }
    guard inputRange.contains(inputs) else {
      let wanted = inputRange.upperBound == Int.max ? "at least \(inputRange.lowerBound)" : "\(inputRange.lowerBound)"
      return "\(name) takes \(wanted) input\(wanted == "1" ? "" : "s"), got \(inputs)"
    }
    guard outputs == outputCount else {
      return "\(name) makes \(outputCount) result\(outputCount == 1 ? "" : "s"), got \(outputs)"
    }
    return nil
  }

  /// A fused kernel's registers: each step elementwise, reading registers
  /// already written; the outputs registers that exist.
  func kernelProblem() -> String? {
    let kernel: FusedKernel
    switch self {
    case .fused(let k), .fusedReduce(let k, _, _), .matmulEpilogue(_, _, let k): kernel = k
    default: return nil
    }
    if kernel.outputs.isEmpty { return "the kernel writes no register out" }
    for (k, step) in kernel.steps.enumerated() {
      let written = kernel.inputCount + k
      let arity: Int
      switch step.operation {
      case .unary: arity = 1
      case .binary: arity = 2
      case .select: arity = 3
      default: return "step $\(written) is \(step.operation.name); a kernel holds only elementwise operations"
      }
      guard step.arguments.count == arity else {
        return "step $\(written) = \(step.operation.name) reads \(step.arguments.count) registers, not \(arity)"
      }
      for register in step.arguments where !(0..<written).contains(register) {
        return "step $\(written) reads $\(register), which is not written before it"
      }
    }
    let registers = kernel.inputCount + kernel.steps.count
    for register in kernel.outputs where !(0..<registers).contains(register) {
      return "the kernel writes out $\(register); it has registers $0 to $\(registers - 1)"
    }
    return nil
  }
}

/// `f32[2,3]`.
func irType(_ shape: Shape) -> String {
  "f32[" + shape.dims.map(String.init).joined(separator: ",") + "]"
}

/// `f32[2,3], f32[3]`.
func irTypes(_ shapes: [Shape]) -> String {
  shapes.map(irType).joined(separator: ", ")
}
