// Optimizer: the base class of SGD, Adam and AdamW.

/// Updates parameters from their gradients, like `torch.optim.Optimizer`.
///
/// A training step is `optimizer.zeroGrad(); loss.backward(); optimizer.step()`.
/// ``step()`` changes the parameters' values in place, outside autograd (as
/// PyTorch does under `no_grad`), skipping parameters that have no gradient.
/// Hyper-parameters are `Double`, as Python floats are in PyTorch: scalars
/// derived from them are computed in double and rounded to float32 once.
///
/// Subclass it and override ``step()``, using
/// ``forEachParameterWithGradient(_:)`` to reach the raw buffers.
open class Optimizer {
  /// The tensors updated, each a leaf.
  public let parameters: [Tensor]
  /// The step size; change it between steps for a schedule.
  public var learningRate: Double

  /// Creates an optimizer over `parameters` (distinct leaf tensors).
  public init(_ parameters: [Tensor], learningRate: Double, file: StaticString = #fileID, line: UInt = #line) {
    let site = CallSite(file, line)
    var seen: Set<ObjectIdentifier> = []
    for (index, parameter) in parameters.enumerated() {
      if !parameter.isLeaf {
        fail(
          TensorError(
            op: "optimizer",
            message: "parameter \(index) (\(parameter.opName) of shape \(parameter.shape)) is not a leaf",
            location: site.location))
      }
      if !seen.insert(ObjectIdentifier(parameter)).inserted {
        fail(
          TensorError(
            op: "optimizer", message: "parameter \(index) of shape \(parameter.shape) is listed twice",
            location: site.location))
      }
    }
    if !(learningRate >= 0) {
      fail(TensorError(op: "optimizer", message: "invalid learning rate \(learningRate)", location: site.location))
    }
    self.parameters = parameters
    self.learningRate = learningRate
  }

  /// Updates every parameter that has a gradient by one step.
  ///
  /// Built-in optimizers run ``OptimizerUpdate`` with the coefficients of
  /// ``nextCoefficients(_:)``, the same kernel a compiled step runs; a custom
  /// optimizer overrides this (and then cannot be compiled).
  open func step() {
    guard let rule = compiledRule else { fatalError("\(type(of: self)) does not override step()") }
    forEachParameterWithGradient { index, values, gradient in
      let state = stateTensors(index).map(\.storage.base)
      nextCoefficients(index).withUnsafeBufferPointer { row in
        OptimizerUpdate.apply(rule, values.baseAddress!, gradient.baseAddress!, row.baseAddress!, state, count: values.count)
      }
    }
  }

  /// How a compiled training step runs this optimizer's update; nil for an
  /// optimizer that only has a custom ``step()``.
  open var compiledRule: OptimizerRule? { nil }

  /// The state tensors parameter `index`'s update reads and writes in place
  /// (momentum, moments), made as zeros when first asked for.
  func stateTensors(_ index: Int) -> [Tensor] { [] }

  /// The coefficients of parameter `index`'s next step (a row for
  /// ``OptimizerUpdate/apply``), advancing its step count.
  func nextCoefficients(_ index: Int) -> [Float] { [] }

  /// Names for the state tensors of parameter `index`, for the IR.
  func stateNames(_ index: Int) -> [String] { [] }

  /// Clears the gradient of every parameter (set to none, as PyTorch does by default).
  public func zeroGrad() {
    for parameter in parameters { parameter.zeroGrad() }
  }

  /// Calls `update` with the index, the writable values and the gradient of
  /// each parameter that has a gradient, in order.
  public final func forEachParameterWithGradient(
    _ update: (_ index: Int, _ values: UnsafeMutableBufferPointer<Float>, _ gradient: UnsafeBufferPointer<Float>) ->
      Void
  ) {
    for (index, parameter) in parameters.enumerated() {
      guard let gradient = parameter.grad else { continue }
      if gradient.shape != parameter.shape {
        fail(
          TensorError(
            op: "optimizer",
            message: "gradient of shape \(gradient.shape) for parameter \(index) of shape \(parameter.shape)",
            location: parameter.site.location))
      }
      parameter.updateValues { values in
        update(index, values, UnsafeBufferPointer(start: gradient.values, count: gradient.count))
      }
    }
  }
}
