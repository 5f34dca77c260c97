/// The dimensions of a tensor, outermost first (row-major), like numpy's `shape`.
///
/// A 0-d scalar has no dimensions and one element.
public struct Shape: Hashable, Sendable, ExpressibleByArrayLiteral, CustomStringConvertible {
  /// The size of each dimension.
  public var dims: [Int]

  /// Creates a shape from its dimension sizes.
  public init(_ dims: [Int]) { self.dims = dims }

  public init(arrayLiteral elements: Int...) { self.dims = elements }

  /// The number of dimensions (0 for a scalar).
  public var rank: Int { dims.count }

  /// The number of elements: the product of the dimensions.
  public var count: Int { dims.reduce(1, *) }

  /// The size of dimension `axis`.
  public subscript(axis: Int) -> Int { dims[axis] }

  /// Row-major strides in elements: the last dimension has stride 1.
  public var strides: [Int] {
    var strides = [Int](repeating: 1, count: rank)
    var step = 1
    for axis in stride(from: rank - 1, through: 0, by: -1) {
      strides[axis] = step
      step *= dims[axis]
    }
    return strides
  }

  public var description: String { "[" + dims.map(String.init).joined(separator: ", ") + "]" }

  /// The numpy broadcast of two shapes, or nil when they do not broadcast.
  ///
  /// Dimensions are aligned from the right; each pair must be equal or one of
  /// them 1.
  public static func broadcast(_ a: Shape, _ b: Shape) -> Shape? {
    // Most binary ops meet equal shapes: no new array for them.
    if a == b { return a }
    let rank = max(a.rank, b.rank)
    var dims = [Int](repeating: 1, count: rank)
    for i in 0..<rank {
      let da = i < rank - a.rank ? 1 : a.dims[i - (rank - a.rank)]
      let db = i < rank - b.rank ? 1 : b.dims[i - (rank - b.rank)]
      guard da == db || da == 1 || db == 1 else { return nil }
      dims[i] = da == 1 ? db : da
    }
    return Shape(dims)
  }

  /// Strides for reading a tensor of this shape as if broadcast to `target`:
  /// stride 0 along every dimension that is 1 here (or missing).
  func broadcastStrides(to target: Shape) -> [Int] {
    let own = strides
    let offset = target.rank - rank
    return (0..<target.rank).map { i in
      i < offset || dims[i - offset] == 1 ? 0 : own[i - offset]
    }
  }

  /// The axes of `target` along which a value of this shape was broadcast.
  ///
  /// Summing a gradient of shape `target` over these axes (keeping dimensions)
  /// and reshaping gives a gradient of this shape.
  func broadcastAxes(to target: Shape) -> [Int] {
    let offset = target.rank - rank
    return (0..<target.rank).filter { i in
      i < offset || (dims[i - offset] == 1 && target.dims[i] != 1)
    }
  }

  /// `axis` made non-negative (numpy's `-1` is the last axis), or nil when it
  /// is out of range.
  func normalized(axis: Int) -> Int? {
    let a = axis < 0 ? axis + rank : axis
    return (0..<rank).contains(a) ? a : nil
  }
}
