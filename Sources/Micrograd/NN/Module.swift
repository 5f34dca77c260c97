// Module: the base class of layers and models, with parameters found by reflection.

/// A layer or a model: a function of a tensor with trainable parameters,
/// like PyTorch's `nn.Module` and micrograd's `Module`.
///
/// Subclass it, keep parameters and sub-modules in stored properties and
/// override ``forward(_:)``:
///
/// ```swift
/// final class TwoLayer: Module {
///   let hidden = Linear(2, 8)
///   let output = Linear(8, 1)
///   override func forward(_ x: Tensor) -> Tensor { output(relu(hidden(x))) }
/// }
/// ```
///
/// There is nothing to register: ``namedParameters()`` reads the stored
/// properties with a `Mirror`, base class first, in declaration order. A
/// property counts when it is
/// - a leaf ``Tensor`` that requires grad (a parameter; one that requires no
///   grad is a constant, like PyTorch's buffers), optional or not;
/// - a ``Module``, optional or not, whose parameters are named under the
///   property's name (`output.weight`);
/// - an array of tensors or of modules, named by index (`layers.0.weight`).
///
/// Each parameter is listed once, under the first name that reaches it. A
/// module can choose its own names by giving a `customMirror`
/// (``Sequential`` does, to name its layers `0`, `1`, … as PyTorch does).
open class Module {
  /// Creates a module; subclasses set up their parameters in their own initialiser.
  public init() {}

  /// The module's function of `x`; every subclass overrides it.
  open func forward(_ x: Tensor) -> Tensor {
    fatalError("\(type(of: self)) does not override forward(_:)")
  }

  /// Applies the module: `model(x)` is `model.forward(x)`.
  public func callAsFunction(_ x: Tensor) -> Tensor { forward(x) }

  /// Every parameter with its dotted path from this module (`layers.0.weight`),
  /// in declaration order, like PyTorch's `named_parameters()`.
  public func namedParameters() -> [(name: String, parameter: Tensor)] {
    var found: [(name: String, parameter: Tensor)] = []
    var seen: Set<ObjectIdentifier> = []
    collectParameters(prefix: "", into: &found, seen: &seen)
    return found
  }

  /// Every parameter, in the order of ``namedParameters()``.
  public func parameters() -> [Tensor] { namedParameters().map(\.parameter) }

  /// Clears the gradient of every parameter (PyTorch's `zero_grad()`, which
  /// sets them to none).
  public func zeroGrad() {
    for parameter in parameters() { parameter.zeroGrad() }
  }

  /// Adds the parameters of this module and its sub-modules to `found`, names
  /// prefixed with `prefix`, skipping tensors and modules already `seen`.
  private func collectParameters(
    prefix: String, into found: inout [(name: String, parameter: Tensor)], seen: inout Set<ObjectIdentifier>
  ) {
    func visit(_ name: String, _ value: Any) {
      if let tensor = value as? Tensor {
        if tensor.isLeaf && tensor.requiresGrad && seen.insert(ObjectIdentifier(tensor)).inserted {
          found.append((prefix + name, tensor))
        }
      } else if let module = value as? Module {
        if seen.insert(ObjectIdentifier(module)).inserted {
          module.collectParameters(prefix: prefix + name + ".", into: &found, seen: &seen)
        }
      } else if let tensors = value as? [Tensor] {
        for (index, tensor) in tensors.enumerated() { visit("\(name).\(index)", tensor) }
      } else if let modules = value as? [Module] {
        for (index, module) in modules.enumerated() { visit("\(name).\(index)", module) }
      }
    }
    for (name, value) in storedProperties { visit(name, value) }
  }

  /// The stored properties as a `Mirror` shows them, base class first.
  private var storedProperties: [(name: String, value: Any)] {
    var mirrors: [Mirror] = []
    var next: Mirror? = Mirror(reflecting: self)
    while let mirror = next {
      mirrors.append(mirror)
      next = mirror.superclassMirror
    }
    return mirrors.reversed().flatMap { mirror in
      mirror.children.compactMap { child in
        // A `lazy var x` is stored as `$__lazy_storage_$_x`.
        child.label.map { (String($0.replacing("$__lazy_storage_$_", with: "")), child.value) }
      }
    }
  }
}

/// Modules applied one after another, like PyTorch's `nn.Sequential`.
///
/// Its parameters are named by position (`0.weight`, `2.bias`), as in PyTorch.
public final class Sequential: Module, CustomReflectable {
  /// The modules, in the order they are applied.
  public let layers: [Module]

  /// Creates the composition of `layers`, first applied first.
  public init(_ layers: [Module]) {
    self.layers = layers
  }

  /// Creates the composition of `layers`, first applied first.
  public convenience init(_ layers: Module...) {
    self.init(layers)
  }

  /// Applies each layer to the previous one's output.
  public override func forward(_ x: Tensor) -> Tensor {
    layers.reduce(x) { output, layer in layer(output) }
  }

  /// The layers labelled `0`, `1`, …, which names their parameters.
  public var customMirror: Mirror {
    Mirror(
      self, children: layers.enumerated().map { (label: String($0.offset), value: $0.element as Any) },
      displayStyle: .class, ancestorRepresentation: .suppressed)
  }
}

/// A module without parameters that applies a function, for composing with
/// ``Sequential``: `Sequential(Linear(2, 16), Activation { relu($0) }, Linear(16, 1))`.
public final class Activation: Module {
  /// The function applied.
  public let function: (Tensor) -> Tensor

  /// Creates a module that applies `function`.
  public init(_ function: @escaping (Tensor) -> Tensor) {
    self.function = function
  }

  /// Applies the function.
  public override func forward(_ x: Tensor) -> Tensor { function(x) }
}
