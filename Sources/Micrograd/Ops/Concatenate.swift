// Joining tensors along an axis: shape rule, lowering and backward.

/// The `parts` laid end to end along `axis`, like `torch.cat`.
///
/// All parts have the same rank and agree on every other dimension. The
/// backward hands each part its own ``Slice`` of the gradient.
public final class Concatenate: Tensor {
  /// The axis the parts are joined along (non-negative).
  public let axis: Int
  /// The first index along `axis` of each part's block, and the end of the last.
  let boundaries: [Int]

  init(_ parts: [Tensor], axis: Int, site: CallSite) {
    let axis = concatenationAxis(parts, axis, site)
    self.axis = axis
    self.boundaries = parts.reduce(into: [0]) { $0.append($0.last! + $1.shape[axis]) }
    var dims = parts[0].shape.dims
    dims[axis] = boundaries.last!
    super.init(shape: Shape(dims), inputs: parts, site: site)
  }

  public override var opName: String { "concatenate" }
  public override var operation: Operation? { .concatenate(axis: axis) }

  public override func backpropagate(_ grad: Tensor) {
    for (part, first) in zip(inputs, boundaries) where part.requiresGrad {
      part.accumulateGrad(Slice(grad, axis: axis, start: first, step: 1, count: part.shape[axis], site: site))
    }
  }
}

/// The tensors joined end to end along `axis` (negative counts from the end),
/// like `torch.cat`. They must have the same rank, at least 1, and the same
/// size in every other dimension.
public func concatenate(_ tensors: [Tensor], axis: Int = 0, file: StaticString = #fileID, line: UInt = #line) -> Tensor
{
  Concatenate(tensors, axis: axis, site: CallSite(file, line))
}

/// `axis` made non-negative after checking that `parts` can be joined along
/// it, or a stop naming every part's shape (the rule is
/// ``ShapeRules/concatenationAxis(_:_:)``, shared with the program validator).
func concatenationAxis(_ parts: [Tensor], _ axis: Int, _ site: CallSite) -> Int {
  switch ShapeRules.concatenationAxis(parts.map(\.shape), axis) {
  case .success(let axis): return axis
  case .failure(let error): fail(TensorError(op: "concatenate", message: error.message, location: site.location))
  }
}
