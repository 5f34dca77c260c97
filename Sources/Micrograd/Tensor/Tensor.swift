/// A float32 n-dimensional array that remembers how it was computed.
///
/// A `Tensor` made from data is a *leaf*. Every operation returns an instance
/// of a typed subclass (``Add``, ``Mul``, ``MatMul``, …) that holds its inputs
/// and knows its own backward rule, as micrograd's `Value` did for scalars.
///
/// `requiresGrad` follows PyTorch: an op's output requires grad when any input
/// does (and ``noGrad(_:)`` is not in force); only then are its inputs kept.
/// ``backward(_:createGraph:file:line:)`` walks the graph and accumulates into
/// ``grad`` on the leaves that require grad.
///
/// Tensors are not synchronised: ops may read one tensor from several
/// threads at once, but setting its ``requiresGrad`` or ``grad``, or running
/// backward through it, must not overlap with anything else done to it.
/// (Its `requiresGrad`, `grad`, `inputs` and pending gradient opt out of
/// Swift's run-time exclusivity checks, which every eager op and backward
/// step would otherwise pay: about a tenth of the eager moons step. Nothing
/// in the library passes them `inout`.)
open class Tensor: CustomStringConvertible {
  /// The tensor's dimensions.
  public let shape: Shape
  /// The values, row-major; empty for a symbolic tensor in a trace.
  let storage: Storage
  /// Whether this tensor stands for a value not yet computed: an input or
  /// an op recorded while tracing (see ``Trace``).
  public let isSymbolic: Bool
  /// Whether gradients flow to this tensor. Settable on leaves only.
  @exclusivity(unchecked) public var requiresGrad: Bool {
    didSet {
      if !inputs.isEmpty && !requiresGrad {
        fail(
          TensorError(
            op: "requiresGrad", message: "cannot turn off requiresGrad on a non-leaf tensor (\(opName)); use detach()",
            location: site.location))
      }
    }
  }
  /// The accumulated gradient of a leaf after ``backward(_:createGraph:file:line:)``.
  @exclusivity(unchecked) public var grad: Tensor?
  /// The tensors this one was computed from; empty for leaves and for outputs
  /// that do not require grad (nothing to backpropagate into).
  @exclusivity(unchecked) public internal(set) var inputs: [Tensor]
  /// Where the user wrote the operation that made this tensor.
  public let site: CallSite
  /// The gradient being summed during one backward pass.
  @exclusivity(unchecked) var pendingGrad: Tensor?

  /// Creates a leaf from existing storage.
  init(storage: Storage, shape: Shape, requiresGrad: Bool = false, site: CallSite = CallSite(#fileID, #line)) {
    precondition(storage.count == shape.count, "storage of \(storage.count) elements for shape \(shape)")
    self.shape = shape
    self.storage = storage
    self.isSymbolic = false
    self.requiresGrad = requiresGrad
    self.inputs = []
    self.site = site
    self.tracedLiteral = Trace.isActive
  }

  /// Creates a symbolic leaf: a placeholder for a traced function's input.
  init(symbolic shape: Shape, requiresGrad: Bool = false, site: CallSite) {
    self.shape = shape
    self.storage = Storage.placeholder
    self.isSymbolic = true
    self.requiresGrad = requiresGrad
    self.inputs = []
    self.site = site
    self.tracedLiteral = false
  }

  /// Creates an operation's output: checks nothing (the subclass did), computes
  /// the value with ``forward(into:)`` and keeps the inputs only if backward
  /// will need them.
  ///
  /// While a ``Trace`` is recording, nothing is computed: the output is
  /// symbolic and always keeps its inputs, so the graph is the program.
  ///
  /// Subclasses set their own properties, then call this initialiser.
  public init(shape: Shape, inputs: [Tensor], site: CallSite) {
    let tracing = Trace.isActive
    self.shape = shape
    self.storage = tracing ? Storage.placeholder : Storage(count: shape.count)
    self.isSymbolic = tracing
    self.site = site.settled(tracing: tracing)
    self.requiresGrad = false
    self.inputs = inputs
    self.tracedLiteral = false
    let needsGrad = keepsHistory && GradMode.isEnabled && inputs.contains { $0.requiresGrad }
    self.requiresGrad = needsGrad
    if tracing { return }
    forward(into: storage.base)
    if NumericsCheck.isActive { stopIfNonFinite() }
    if !needsGrad { self.inputs = [] }
  }

  /// Whether this leaf was made from data inside a traced function (a
  /// literal such as the `2` in `2 * x`): the compiler may fold it. Leaves
  /// made outside are read live at every run, never frozen.
  let tracedLiteral: Bool

  /// Whether this op can carry gradient at all; false for ops whose output is
  /// piecewise constant (comparison masks), so they never keep their inputs.
  var keepsHistory: Bool { true }

  deinit {
    // Free long chains iteratively: take the inputs of every node this one
    // solely owns, so no deinit recurses into the next (a 1M-op chain would
    // overflow the stack otherwise).
    guard !inputs.isEmpty else { return }
    var stack = inputs
    inputs = []
    while var node = stack.popLast() {
      if isKnownUniquelyReferenced(&node) {
        stack.append(contentsOf: node.inputs)
        node.inputs = []
      }
    }
  }

  /// The instruction this op lowers to in a compiled ``Program``; nil for
  /// leaves. Every op overrides it beside its forward and backward.
  open var operation: Operation? { nil }

  /// The operation's name as the user knows it (`add`, `matmul`); `leaf` for data.
  open var opName: String { "leaf" }

  /// Computes this op's value from its inputs into `out` (shape ``Tensor/shape``).
  ///
  /// By default runs the kernel of ``operation``, the same one the compiled
  /// program runs; a custom op without a built-in operation overrides it.
  open func forward(into out: UnsafeMutablePointer<Float>) {
    guard let operation else { return }
    // The elementwise ops, most of an eager step, skip the arrays of the general entry.
    switch operation {
    case .unary(let f):
      Kernels.unary(f, inputs[0].values, out, shape)
    case .binary(let f):
      Kernels.binary(f, inputs[0].values, inputs[0].shape, inputs[1].values, inputs[1].shape, out, shape)
    default:
      Kernels.execute(operation, inputs.map(\.values), inputs.map(\.shape), [out], [shape])
    }
  }

  /// Propagates `grad` (the gradient of the output, shaped like this tensor)
  /// to the inputs with ``Tensor/accumulateGrad(_:)``, written in tensor ops.
  ///
  /// Overridden by every op; a leaf has no inputs.
  open func backpropagate(_ grad: Tensor) {}

  /// A read-only view of the values for a kernel.
  ///
  /// Stops with an error on a symbolic tensor: a traced function cannot look
  /// at values that exist only when the compiled program runs (JAX's
  /// `ConcretizationTypeError`).
  public var values: UnsafePointer<Float> {
    if isSymbolic { failConcreteValueNeeded() }
    return UnsafePointer(storage.base)
  }

  /// Stops with the tracing error for reading a symbolic tensor.
  func failConcreteValueNeeded(at reader: CallSite = .fromOperator) -> Never {
    let made = inputs.isEmpty ? "a traced input" : "\(opName) at \(site.location)"
    fail(
      TensorError(
        op: opName,
        message: "the value of \(made) of shape \(shape) is needed during tracing, but exists only when "
          + "the compiled program runs; pass it as an input or compute it outside the traced function",
        location: reader.location))
  }

  /// The number of elements.
  public var count: Int { shape.count }
}
