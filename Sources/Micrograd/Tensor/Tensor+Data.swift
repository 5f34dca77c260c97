/// Reading values out of a tensor and making tensors from data.
extension Tensor {
  /// Creates a leaf tensor from row-major values and a shape.
  ///
  /// Stops with a message if the element count does not match the shape.
  public convenience init(
    _ scalars: [Float], shape: Shape, requiresGrad: Bool = false,
    file: StaticString = #fileID, line: UInt = #line
  ) {
    let site = CallSite(file, line)
    if scalars.count != shape.count {
      fail(
        TensorError(
          op: "tensor", message: "\(scalars.count) values do not fill shape \(shape) (\(shape.count) elements)",
          location: site.location))
    }
    self.init(storage: Storage(scalars), shape: shape, requiresGrad: requiresGrad, site: site)
  }

  /// Creates a 1-d leaf tensor from values.
  public convenience init(
    _ scalars: [Float], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) {
    self.init(scalars, shape: [scalars.count], requiresGrad: requiresGrad, file: file, line: line)
  }

  /// Creates a 2-d leaf tensor from rows of equal length.
  public convenience init(
    _ rows: [[Float]], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) {
    let width = rows.first?.count ?? 0
    if rows.contains(where: { $0.count != width }) {
      fail(
        TensorError(
          op: "tensor", message: "rows of unequal length \(rows.map(\.count))", location: CallSite(file, line).location)
      )
    }
    self.init(rows.flatMap { $0 }, shape: [rows.count, width], requiresGrad: requiresGrad, file: file, line: line)
  }

  /// Creates a 3-d leaf tensor from nested arrays of equal lengths.
  public convenience init(
    _ blocks: [[[Float]]], requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) {
    let rows = blocks.first?.count ?? 0
    let width = blocks.first?.first?.count ?? 0
    if blocks.contains(where: { $0.count != rows || $0.contains { $0.count != width } }) {
      fail(
        TensorError(op: "tensor", message: "nested arrays of unequal lengths", location: CallSite(file, line).location))
    }
    self.init(
      blocks.flatMap { $0.flatMap { $0 } }, shape: [blocks.count, rows, width], requiresGrad: requiresGrad, file: file,
      line: line)
  }

  /// Creates a 0-d (scalar) leaf tensor.
  public convenience init(_ scalar: Float, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line)
  {
    self.init([scalar], shape: [], requiresGrad: requiresGrad, file: file, line: line)
  }

  /// A tensor of `shape` filled with `value`.
  public static func full(
    _ shape: Shape, _ value: Float, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line
  ) -> Tensor {
    Tensor(
      storage: Storage(repeating: value, count: shape.count), shape: shape, requiresGrad: requiresGrad,
      site: CallSite(file, line))
  }

  /// A tensor of `shape` filled with zeros.
  public static func zeros(_ shape: Shape, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    full(shape, 0, requiresGrad: requiresGrad, file: file, line: line)
  }

  /// A tensor of `shape` filled with ones.
  public static func ones(_ shape: Shape, requiresGrad: Bool = false, file: StaticString = #fileID, line: UInt = #line)
    -> Tensor
  {
    full(shape, 1, requiresGrad: requiresGrad, file: file, line: line)
  }

  /// A tensor shaped like `other`, filled with `value`, that requires no grad.
  static func full(like other: Tensor, _ value: Float) -> Tensor {
    Tensor(storage: Storage(repeating: value, count: other.count), shape: other.shape, site: other.site)
  }

  /// The values, row-major, as a Swift array.
  public var scalars: [Float] {
    if isSymbolic { failConcreteValueNeeded() }
    return storage.array
  }

  /// The single value of a one-element tensor, like PyTorch's `item()`.
  public func item(file: StaticString = #fileID, line: UInt = #line) -> Float {
    if isSymbolic { failConcreteValueNeeded(at: CallSite(file, line)) }
    if count != 1 {
      fail(
        TensorError(
          op: "item", message: "only a one-element tensor has an item; shape is \(shape)",
          location: CallSite(file, line).location))
    }
    return values[0]
  }

  /// A new leaf that shares this tensor's values but has no history and
  /// requires no grad, like PyTorch's `detach()`.
  public func detach() -> Tensor {
    Tensor(storage: storage, shape: shape, requiresGrad: false, site: site)
  }

  /// Whether this tensor is a leaf: made from data, or not requiring grad.
  public var isLeaf: Bool { inputs.isEmpty }

  /// Overwrites the values in place with `body`, outside of autograd (for
  /// optimizers and initialisers, like PyTorch's `with torch.no_grad(): p -= …`).
  public func updateValues(_ body: (UnsafeMutableBufferPointer<Float>) -> Void) {
    if isSymbolic { failConcreteValueNeeded() }
    body(UnsafeMutableBufferPointer(start: storage.base, count: count))
  }
}
