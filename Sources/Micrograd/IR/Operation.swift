/// What one instruction computes: the instruction set of a ``Program``.
///
/// Plain values (no classes), so a program can be printed, compared, parsed
/// back and run without the Swift objects it was traced from.
public enum Operation: Hashable, Sendable {
  /// One-input elementwise function.
  case unary(UnaryFunction)
  /// Two-input elementwise function with numpy broadcasting.
  case binary(BinaryFunction)
  /// `condition ? a : b` with broadcasting.
  case select
  /// Reduction over axes (the output is laid out with those axes as size 1).
  case reduce(ReductionFunction, axes: [Int])
  /// Same elements, new shape.
  case reshape
  /// Broadcast to the output shape.
  case expand
  /// Axes reordered.
  case permute([Int])
  /// Every `step`-th element along `axis` from `start` (the output shape
  /// gives the count).
  case slice(axis: Int, start: Int, step: Int)
  /// Zeros with the input written where ``slice(axis:start:step:)`` reads.
  case sliceScatter(axis: Int, start: Int, step: Int)
  /// The inputs laid end to end along `axis`.
  case concatenate(axis: Int)
  /// `log(sum(exp(x)))` over axes, stably (the max is subtracted first).
  case logsumexp(axes: [Int])
  /// Class indices to rows of 0/1 of width `classes` (an invalid index
  /// gives a row of NaN in a compiled program; eager mode stops).
  case oneHot(classes: Int)
  /// Rows of a table picked by indices: inputs indices (any shape `S`,
  /// floats holding integers) and a table `[V, D]`; result `S + [D]`. An
  /// invalid index gives a row of NaN in a compiled program; eager mode stops.
  case embedding
  /// The embedding's adjoint: zeros `[rows, D]` with each row `i` of the
  /// second input (shape `S + [D]`) added into row `indices[i]`. Invalid
  /// indices add nothing.
  case embeddingBackward(rows: Int)
  /// A user-defined op registered under this name (see ``CustomOp``): any
  /// number of inputs, one result, computed by the op's registered kernel.
  case custom(String)
  /// `op(a)·op(b)` over the last two axes, transposes read in place.
  case matmul(transposeA: Bool, transposeB: Bool)
  /// Overwrites the first input's buffer (a parameter or optimizer state)
  /// with the second's values: the end of an in-place update.
  case assign
  /// One optimizer step in place on a parameter and its state. Inputs:
  /// parameter, gradient, learning rate (a scalar given at each run), step
  /// count (state, incremented), then the rule's buffers; no outputs.
  case optimizerStep(OptimizerRule)
  /// A plain SGD step whose gradient is a matrix product, never stored:
  /// `parameter ← parameter − lr·op(a)·op(b)` as one `sgemm` (β = 1,
  /// α = −lr). Inputs: parameter, `a`, `b`, learning rate, step count
  /// (state, incremented); no outputs. Made by the compiler from a `matmul`
  /// read only by an `sgd` without momentum or weight decay.
  case sgdProduct(transposeA: Bool, transposeB: Bool)
  /// Several elementwise ops run as one pass over the data. An output may
  /// share a buffer with an input of the kernel's own shape, no other.
  case fused(FusedKernel)
  /// An elementwise kernel whose first output is reduced over `axes` as it
  /// is computed, never stored; the kernel's other outputs are stored whole.
  /// The instruction's outputs are the reduction, then those other outputs.
  /// (The reduction is set to its identity first: its buffer must not be
  /// one of the inputs'.)
  case fusedReduce(FusedKernel, ReductionFunction, axes: [Int])
  /// `matmul` followed by an elementwise kernel run in place over the
  /// product: inputs are `a`, `b`, then the kernel's inputs 1…; the kernel's
  /// register 0 is the product, written into the first output first (whose
  /// buffer therefore must not be one of the inputs').
  case matmulEpilogue(transposeA: Bool, transposeB: Bool, FusedKernel)

  /// The name printed in the IR and shown in pictures.
  public var name: String {
    switch self {
    case .unary(let f): f.name
    case .binary(let f): f.name
    case .select: "select"
    case .reduce(let f, _): f == .sum ? "sum" : "max"
    case .reshape: "reshape"
    case .expand: "expand"
    case .permute: "permute"
    case .slice: "slice"
    case .sliceScatter: "slice_scatter"
    case .concatenate: "concatenate"
    case .logsumexp: "logsumexp"
    case .oneHot: "one_hot"
    case .embedding: "embedding"
    case .embeddingBackward: "embedding_backward"
    case .custom: "custom"
    case .matmul: "matmul"
    case .assign: "assign"
    case .optimizerStep(let rule): rule.name
    case .sgdProduct: "sgd+matmul"
    case .fused: "fused"
    case .fusedReduce(_, let f, _): "fused+" + Operation.reduce(f, axes: []).name
    case .matmulEpilogue: "matmul+fused"
    }
  }

  /// Whether this is a pointwise operation a fused kernel can hold.
  public var isElementwise: Bool {
    switch self {
    case .unary, .binary, .select: true
    default: false
    }
  }
}

extension UnaryFunction {
  /// The name used in the IR (`exp`, `pow`).
  public var name: String {
    switch self {
    case .negate: "neg"
    case .exp: "exp"
    case .log: "log"
    case .tanh: "tanh"
    case .sigmoid: "sigmoid"
    case .relu: "relu"
    case .power: "pow"
    }
  }
}

extension BinaryFunction {
  /// The name used in the IR (`add`, `gt`).
  public var name: String {
    switch self {
    case .add: "add"
    case .subtract: "sub"
    case .multiply: "mul"
    case .divide: "div"
    case .maximum: "maximum"
    case .minimum: "minimum"
    case .greater: "gt"
    case .greaterEqual: "ge"
    case .less: "lt"
    case .lessEqual: "le"
    case .equal: "eq"
    case .notEqual: "ne"
    }
  }
}

/// The update rule of a built-in optimizer with its hyper-parameters (all
/// but the learning rate, which is given at each step): what an
/// `optimizerStep` instruction runs, eager or compiled.
public enum OptimizerRule: Hashable, Sendable {
  /// `torch.optim.SGD`.
  case sgd(momentum: Double, dampening: Double, weightDecay: Double, nesterov: Bool)
  /// `torch.optim.Adam` (`decoupled` false) or `AdamW` (true).
  case adam(beta1: Double, beta2: Double, epsilon: Double, weightDecay: Double, decoupled: Bool)

  /// The name printed in the IR.
  public var name: String {
    switch self {
    case .sgd: "sgd"
    case .adam(_, _, _, _, let decoupled): decoupled ? "adamw" : "adam"
    }
  }

  /// How many buffers of the parameter's shape the rule keeps (momentum; moments).
  public var bufferCount: Int {
    switch self {
    case .sgd(let momentum, _, _, _): momentum != 0 ? 1 : 0
    case .adam: 2
    }
  }
}
