// Reshape and expand (broadcast to): shape rule, lowering and backward.

/// `a` with the same elements in a new shape.
public final class Reshape: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, to target: [Int], site: CallSite) {
    super.init(shape: inferredShape(target, count: a.count, from: a.shape, site), inputs: [a], site: site)
  }

  public override var opName: String { "reshape" }
  public override var operation: Operation? { .reshape }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad.reshape(a.shape))
  }
}

/// `a` broadcast to a larger shape, like `torch.expand` / `np.broadcast_to`.
public final class Expand: Tensor {
  var a: Tensor { inputs[0] }

  init(_ a: Tensor, to target: Shape, site: CallSite) {
    guard Shape.broadcast(a.shape, target) == target else {
      fail(
        TensorError(op: "expand", message: "shape \(a.shape) cannot be broadcast to \(target)", location: site.location)
      )
    }
    super.init(shape: target, inputs: [a], site: site)
  }

  public override var opName: String { "expand" }
  public override var operation: Operation? { .expand }

  public override func backpropagate(_ grad: Tensor) {
    a.accumulateGrad(grad)  // accumulateGrad sums the broadcast axes away
  }
}

extension Tensor {
  /// The same elements in shape `dims`; one dimension may be -1 (inferred).
  public func reshape(_ dims: [Int], file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if dims == shape.dims { return self }
    return Reshape(self, to: dims, site: CallSite(file, line))
  }

  /// The same elements in `shape`.
  public func reshape(_ shape: Shape, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    reshape(shape.dims, file: file, line: line)
  }

  /// This tensor broadcast to `shape` (numpy's rules), materialised.
  public func expand(to shape: Shape, file: StaticString = #fileID, line: UInt = #line) -> Tensor {
    if shape == self.shape { return self }
    return Expand(self, to: shape, site: CallSite(file, line))
  }
}

/// `dims` with a -1 resolved so the element count is `count`, or a stop.
func inferredShape(_ dims: [Int], count: Int, from source: Shape, _ site: CallSite) -> Shape {
  let unknown = dims.indices.filter { dims[$0] == -1 }
  let known = dims.filter { $0 != -1 }.reduce(1, *)
  var result = dims
  let bad = unknown.count > 1 || dims.contains { $0 < -1 }
  if !bad, let i = unknown.first, known > 0, count % known == 0 {
    result[i] = count / known
  }
  guard !bad, Shape(result).count == count, !result.contains(-1) || count == 0 else {
    fail(
      TensorError(
        op: "reshape", message: "cannot reshape \(source) (\(count) elements) to \(Shape(dims))",
        location: site.location))
  }
  return Shape(result)
}
