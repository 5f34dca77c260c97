import Foundation

/// Runs a ``Program`` on float32 buffers.
///
/// Buffers are made once: temporaries and inputs owned here, parameters,
/// optimizer state and captured tensors bound to their tensors' storage (so
/// updates land in the model's own parameters). Each instruction is prepared
/// once with its buffer pointers and shapes; a run is a loop over plain
/// values that calls the same kernels eager mode uses.
final class Interpreter: @unchecked Sendable {
  /// One instruction with its buffers resolved.
  struct PreparedStep {
    var operation: Operation
    var inputs: [UnsafePointer<Float>]
    var inputShapes: [Shape]
    var outputs: [UnsafeMutablePointer<Float>]
    var outputShapes: [Shape]
  }

  let program: Program
  private let buffers: [UnsafeMutablePointer<Float>]
  private let steps: [PreparedStep]
  private let inputIDs: [ValueID]
  /// Owned and bound storage, kept alive as long as the buffers are used.
  private let storages: [Storage]
  /// Serialises runs: one program's buffers serve one run at a time.
  private let lock = NSLock()

  init(_ lowered: LoweredProgram) {
    program = lowered.program
    var storages: [Storage] = []
    var buffers: [UnsafeMutablePointer<Float>] = []
    for (id, value) in program.values.enumerated() {
      let storage: Storage
      switch value.role {
      case .parameter, .state, .captured: storage = lowered.bindings[id]!.storage
      case .constant(let data): storage = Storage(data)
      case .input, .temporary: storage = Storage(count: value.shape.count)
      }
      storages.append(storage)
      buffers.append(storage.base)
    }
    self.storages = storages
    self.buffers = buffers
    inputIDs = program.values(where: { $0 == .input })
    let values = program.values
    steps = program.instructions.map { instruction in
      if instruction.operation == .assign {
        // assign target, value: copy value's buffer into target's.
        let (target, source) = (instruction.inputs[0], instruction.inputs[1])
        return PreparedStep(
          operation: .assign, inputs: [UnsafePointer(buffers[source])], inputShapes: [values[source].shape],
          outputs: [buffers[target]], outputShapes: [values[target].shape])
      }
      return PreparedStep(
        operation: instruction.operation,
        inputs: instruction.inputs.map { UnsafePointer(buffers[$0]) },
        inputShapes: instruction.inputs.map { values[$0].shape },
        outputs: instruction.outputs.map { buffers[$0] },
        outputShapes: instruction.outputs.map { values[$0].shape })
    }
  }

  /// Runs the program on `inputs` (in the order of its input values) and
  /// returns copies of its outputs.
  func run(_ inputs: [Tensor]) throws(CompileError) -> [Tensor] {
    guard inputs.count == inputIDs.count else {
      throw .badArguments("the program takes \(inputIDs.count) inputs; got \(inputs.count)")
    }
    for (k, id) in inputIDs.enumerated() where inputs[k].shape != program.values[id].shape {
      throw .badArguments(
        "input \(k) (\(program.values[id].name)) must have shape \(program.values[id].shape); got \(inputs[k].shape)")
    }
    lock.lock()
    defer { lock.unlock() }
    for (k, id) in inputIDs.enumerated() {
      buffers[id].update(from: inputs[k].values, count: inputs[k].count)
    }
    for step in steps {
      Kernels.execute(step.operation, step.inputs, step.inputShapes, step.outputs, step.outputShapes)
    }
    return program.outputs.map { id in
      Tensor(storage: Storage(Array(UnsafeBufferPointer(start: buffers[id], count: program.values[id].shape.count))),
        shape: program.values[id].shape)
    }
  }
}
