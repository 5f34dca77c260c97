import Micrograd

/// The colours of every picture, in one place: each kind of node has a fill
/// and a darker border of the same hue.
enum Palette {
  /// A fill and a border colour.
  struct Colors {
    let fill: String
    let border: String
  }

  static let forward = Colors(fill: "#dbeafe", border: "#2563eb")
  static let backward = Colors(fill: "#fee2e2", border: "#dc2626")
  static let update = Colors(fill: "#dcfce7", border: "#16a34a")
  static let parameter = Colors(fill: "#fef3c7", border: "#b45309")
  static let input = Colors(fill: "#ede9fe", border: "#7c3aed")
  static let state = Colors(fill: "#ccfbf1", border: "#0f766e")
  static let constant = Colors(fill: "#f3f4f6", border: "#6b7280")
  static let output = Colors(fill: "#ffedd5", border: "#ea580c")
  static let intermediate = Colors(fill: "#ffffff", border: "#374151")
  /// A value made outside the drawn sections (a forward activation read by
  /// the backward section).
  static let outside = Colors(fill: "#ffffff", border: "#9ca3af")
  /// Plain text and edges.
  static let ink = "#374151"
  /// Edge labels and other secondary text.
  static let faint = "#6b7280"

  /// The colours of a value given to the program (an input, a parameter).
  static func of(_ role: Value.Role) -> Colors {
    switch role {
    case .input, .captured: input
    case .parameter: parameter
    case .state: state
    case .constant: constant
    case .temporary: intermediate
    }
  }

  /// The colours of an instruction of `section`.
  static func of(_ section: Instruction.Section) -> Colors {
    switch section {
    case .forward: forward
    case .backward: backward
    case .update: update
    }
  }
}
