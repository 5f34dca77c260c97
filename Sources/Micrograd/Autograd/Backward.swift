/// Reverse-mode differentiation: micrograd's `backward()`, for tensors.
extension Tensor {
  /// Computes the gradient of this tensor with respect to every leaf that
  /// requires grad, adding it to the leaf's ``grad``.
  ///
  /// A one-element tensor is seeded with 1; any other needs `gradient`, shaped
  /// like it. Calling it again adds again, as in PyTorch. With `createGraph`
  /// the gradients are themselves differentiable (for second derivatives).
  public func backward(
    _ gradient: Tensor? = nil, createGraph: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) {
    propagate(gradient, createGraph: createGraph, op: "backward", site: CallSite(file, line)) { node, g in
      guard node.isLeaf else { return }
      // The same gradient tensor can reach several leaves (add hands it to
      // both inputs) or be the caller's seed: a leaf's first gradient is a
      // private copy, as in PyTorch, so changing one in place changes no other.
      // With createGraph it stays the recorded tensor, which must be kept.
      node.grad = node.grad.map { $0 + g } ?? (createGraph ? g : g.copiedValues())
    }
  }

  /// A new leaf holding a copy of the values, with no history.
  fileprivate func copiedValues() -> Tensor {
    let copy = Storage(count: count)
    copy.base.update(from: values, count: count)
    return Tensor(storage: copy, shape: shape, site: site)
  }

  /// Sets ``grad`` to nil (PyTorch's `zero_grad(set_to_none=True)`).
  public func zeroGrad() { grad = nil }

  /// Adds `grad` to this input's gradient in the running backward pass,
  /// first summing away the dimensions it was broadcast along.
  ///
  /// Called from ``backpropagate(_:)`` overrides; ignored when this tensor does not
  /// require grad, and then `grad` is not even computed.
  public func accumulateGrad(_ grad: @autoclosure () -> Tensor) {
    guard requiresGrad else { return }
    let grad = grad()
    let g = grad.shape == shape ? grad : grad.sumToShape(shape)
    pendingGrad = pendingGrad.map { $0 + g } ?? g
  }

  /// Runs the backward rules in reverse topological order from `self`, handing
  /// each node's complete gradient to `visit` before its rule runs.
  ///
  /// The walk leaves no state behind. Gradient arithmetic is recorded only
  /// with `createGraph`.
  func propagate(
    _ gradient: Tensor?, createGraph: Bool, op: String, site: CallSite, visit: (Tensor, Tensor) -> Void
  ) {
    guard requiresGrad else {
      fail(
        TensorError(
          op: op, message: "tensor does not require grad and has no history (\(opName) of shape \(shape))",
          location: site.location))
    }
    if let gradient, gradient.shape != shape {
      fail(
        TensorError(
          op: op, message: "gradient of shape \(gradient.shape) for a tensor of shape \(shape)", location: site.location
        ))
    }
    if gradient == nil && count != 1 {
      fail(
        TensorError(
          op: op,
          message: "grad can be implicitly created only for one-element outputs; shape is \(shape): pass a gradient",
          location: site.location))
    }
    let order = topologicalOrder([self]) { $0.requiresGrad }
    pendingGrad = gradient ?? Tensor.full(like: self, 1)
    withGradMode(createGraph) {
      for node in order.reversed() {
        guard let g = node.pendingGrad else { continue }
        node.pendingGrad = nil
        visit(node, g)
        guard !node.inputs.isEmpty else { continue }
        if NumericsCheck.isActive {
          NumericsCheck.$backwardOf.withValue(node.opName) {
            CallSite.$rule.withValue(node.site) { node.backpropagate(g) }
          }
        } else {
          CallSite.$rule.withValue(node.site) { node.backpropagate(g) }
        }
      }
    }
  }
}

/// The gradients of `output` with respect to `inputs`, returned rather than
/// accumulated, like `torch.autograd.grad`.
///
/// With `createGraph` the results can be differentiated again (Hessian-vector
/// products, second derivatives). An input `output` does not depend on gets
/// zeros.
public func grad(
  of output: Tensor, withRespectTo inputs: [Tensor], seed: Tensor? = nil, createGraph: Bool = false,
  file: StaticString = #fileID, line: UInt = #line
) -> [Tensor] {
  let wanted = Set(inputs.map(ObjectIdentifier.init))
  var found: [ObjectIdentifier: Tensor] = [:]
  output.propagate(seed, createGraph: createGraph, op: "grad", site: CallSite(file, line)) { node, g in
    if wanted.contains(ObjectIdentifier(node)) { found[ObjectIdentifier(node)] = g }
  }
  return inputs.map { found[ObjectIdentifier($0)] ?? Tensor.full(like: $0, 0) }
}
