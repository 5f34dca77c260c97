/// A compiled function: a flat, topologically ordered list of instructions
/// over typed values, split into forward, backward and update sections.
public struct Program: Hashable, Sendable {
  /// Every value the program reads or makes, indexed by ``ValueID``.
  public var values: [Value]
  /// The instructions in execution order.
  public var instructions: [Instruction]
  /// The values returned to the caller, in order.
  public var outputs: [ValueID]
  /// The buffer assignment, once the memory planner has run.
  public var memoryPlan: MemoryPlan?

  /// Creates a program.
  public init(values: [Value] = [], instructions: [Instruction] = [], outputs: [ValueID] = []) {
    self.values = values
    self.instructions = instructions
    self.outputs = outputs
  }

  /// The values with a given role kind, in order: inputs, parameters, ….
  public func values(where predicate: (Value.Role) -> Bool) -> [ValueID] {
    values.indices.filter { predicate(values[$0].role) }
  }
}

/// The index of a value in its ``Program``.
public typealias ValueID = Int

/// One value of a program: its shape, role and, for named ones, name.
public struct Value: Hashable, Sendable {
  /// What a value is to the program's caller.
  public enum Role: Hashable, Sendable {
    /// Given at each run (`x`, `y`, a learning rate).
    case input
    /// A model parameter, read and updated in place; named by module path.
    case parameter
    /// Optimizer state (momentum, Adam moments), updated in place.
    case state
    /// A literal folded into the program.
    case constant([Float])
    /// A tensor captured from outside the traced function, read live.
    case captured
    /// Computed by an instruction.
    case temporary
  }

  /// The dimensions.
  public var shape: Shape
  /// What the value is to the caller.
  public var role: Role
  /// The name shown in the IR (`x`, `layers.0.weight`); empty for temporaries.
  public var name: String

  /// Creates a value.
  public init(shape: Shape, role: Role, name: String = "") {
    self.shape = shape
    self.role = role
    self.name = name
  }
}

/// One step of a program.
public struct Instruction: Hashable, Sendable {
  /// Which part of a training step an instruction belongs to.
  public enum Section: String, Hashable, Sendable, CaseIterable {
    case forward, backward, update
  }

  /// What it computes.
  public var operation: Operation
  /// The values it reads.
  public var inputs: [ValueID]
  /// The values it writes (several for a fused kernel with many outputs).
  public var outputs: [ValueID]
  /// Which section it belongs to.
  public var section: Section
  /// Where in the user's source the op was written.
  public var location: SourceLocation
  /// Compiler notes: what was fused, and why something was not.
  ///
  /// A fused instruction's `from …` note (the places its members came
  /// from) is kept as those places and spelled when read, so compiling never
  /// resolves an operator's call stack to a line (see `InstructionNote`).
  public var notes: [String] {
    get { InstructionNote.spelled(noteList) }
    set { noteList = newValue.map(InstructionNote.text) }
  }
  /// The notes as kept.
  var noteList: [InstructionNote]

  /// Creates an instruction.
  public init(
    _ operation: Operation, inputs: [ValueID], outputs: [ValueID], section: Section = .forward,
    location: SourceLocation = .unknown, notes: [String] = []
  ) {
    self.init(
      operation, inputs: inputs, outputs: outputs, section: section, location: location,
      noteList: notes.map(InstructionNote.text))
  }

  /// Creates an instruction with notes as kept.
  init(
    _ operation: Operation, inputs: [ValueID], outputs: [ValueID], section: Section, location: SourceLocation,
    noteList: [InstructionNote]
  ) {
    self.operation = operation
    self.inputs = inputs
    self.outputs = outputs
    self.section = section
    self.location = location
    self.noteList = noteList
  }

  /// Adds notes (plain text) without spelling the ones kept.
  mutating func addNotes(_ more: [String]) {
    noteList += more.map(InstructionNote.text)
  }

  /// Equal when everything, notes as spelled, is equal.
  public static func == (a: Instruction, b: Instruction) -> Bool {
    a.operation == b.operation && a.inputs == b.inputs && a.outputs == b.outputs && a.section == b.section
      && a.location == b.location && a.notes == b.notes
  }

  public func hash(into hasher: inout Hasher) {
    hasher.combine(operation)
    hasher.combine(inputs)
    hasher.combine(outputs)
    hasher.combine(section)
    hasher.combine(location)
    hasher.combine(notes)
  }
}
