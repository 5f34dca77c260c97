/// A shape rule's complaint: what is wrong, in the words eager ops use.
struct ShapeRuleError: Error, Equatable {
  var message: String
}

/// The shape rules eager ops and the program validator share, as checks
/// that return an error instead of stopping the process (the ops turn the
/// error into their ``TensorError``; the validator into an
/// ``IRValidationError``).
enum ShapeRules {
  /// The shape of `op(a)·op(b)` over the last two axes, batch axes
  /// broadcast.
  static func matmul(_ a: Shape, _ transposeA: Bool, _ b: Shape, _ transposeB: Bool) -> Result<Shape, ShapeRuleError> {
    func failure(_ why: String) -> Result<Shape, ShapeRuleError> {
      .failure(ShapeRuleError(message: "\(why): \(a)\(transposeA ? "ᵀ" : "") and \(b)\(transposeB ? "ᵀ" : "")"))
    }
    guard a.rank >= 2 && b.rank >= 2 else { return failure("operands need two dimensions") }
    let (m, ka) = transposeA ? (a[a.rank - 1], a[a.rank - 2]) : (a[a.rank - 2], a[a.rank - 1])
    let (kb, n) = transposeB ? (b[b.rank - 1], b[b.rank - 2]) : (b[b.rank - 2], b[b.rank - 1])
    guard ka == kb else { return failure("inner dimensions \(ka) and \(kb) differ") }
    guard let batch = Shape.broadcast(Shape(Array(a.dims.dropLast(2))), Shape(Array(b.dims.dropLast(2)))) else {
      return failure("batch dimensions do not broadcast")
    }
    return .success(Shape(batch.dims + [m, n]))
  }

  /// `axis` made non-negative after checking that tensors of `shapes` can
  /// be joined along it.
  static func concatenationAxis(_ shapes: [Shape], _ axis: Int) -> Result<Int, ShapeRuleError> {
    func failure(_ why: String) -> Result<Int, ShapeRuleError> {
      .failure(ShapeRuleError(message: "\(why); shapes " + shapes.map(\.description).joined(separator: ", ")))
    }
    guard let first = shapes.first else { return failure("needs at least one tensor") }
    guard first.rank > 0 else { return failure("cannot join 0-d tensors") }
    guard shapes.allSatisfy({ $0.rank == first.rank }) else { return failure("tensors differ in rank") }
    guard let a = first.normalized(axis: axis) else {
      return failure("axis \(axis) is out of range for rank \(first.rank)")
    }
    for shape in shapes {
      for i in 0..<first.rank where i != a && shape[i] != first[i] {
        return failure("sizes differ in axis \(i), outside the joined axis \(a)")
      }
    }
    return .success(a)
  }

  /// Reduction axes as the IR holds them: sorted, distinct, in range.
  static func reductionAxes(_ axes: [Int], of shape: Shape) -> ShapeRuleError? {
    for (k, axis) in axes.enumerated() {
      guard (0..<shape.rank).contains(axis) else {
        return ShapeRuleError(message: "axis \(axis) is out of range for shape \(shape)")
      }
      if k > 0 && axes[k - 1] >= axis {
        return ShapeRuleError(message: "axes \(axes) are not sorted and distinct")
      }
    }
    return nil
  }

  /// Whether `output` is `input` reduced over `axes`, with the axes kept
  /// as size 1 or removed (the two lay out the same).
  static func isReduction(_ output: Shape, of input: Shape, axes: [Int]) -> Bool {
    output == reducedShape(input, axes, keepdims: true) || output == reducedShape(input, axes, keepdims: false)
  }

  /// A slice of `length` elements from `start` by `step` along `axis` of
  /// `whole` into `part`: same rank, same other dimensions, every index
  /// taken inside the axis.
  static func slice(of whole: Shape, into part: Shape, axis: Int, start: Int, step: Int) -> ShapeRuleError? {
    guard (0..<whole.rank).contains(axis) else {
      return ShapeRuleError(message: "axis \(axis) is out of range for shape \(whole)")
    }
    guard part.rank == whole.rank, (0..<whole.rank).allSatisfy({ $0 == axis || part[$0] == whole[$0] }) else {
      return ShapeRuleError(message: "shape \(part) is not a slice of \(whole) along axis \(axis)")
    }
    guard step != 0 else { return ShapeRuleError(message: "step must not be zero") }
    let count = part[axis]
    guard count > 0 else { return nil }
    let (span, overflow1) = (count - 1).multipliedReportingOverflow(by: step)
    let (last, overflow2) = start.addingReportingOverflow(span)
    let size = whole[axis]
    guard !overflow1, !overflow2, start >= 0, start < size, last >= 0, last < size else {
      return ShapeRuleError(
        message: "\(count) elements from \(start) by \(step) leave axis \(axis) of size \(whole[axis])")
    }
    return nil
  }
}
