/// DOT text built one statement at a time, every string escaped on the way in.
///
/// Edges are kept apart and written after every node and cluster: an edge
/// written inside a cluster would pull both its ends into that cluster.
///
/// Node and cluster identifiers are made by the drawing code from indices
/// (`i12`, `v3`), so only attribute values carry user text: a name, a source
/// path, a note. Those are written either as quoted strings (``quoted(_:)``)
/// or as record labels (``DOTWriter/Attribute/record(_:_:stacked:)``).
struct DOTWriter {
  /// One `name=value` pair of a node, edge, cluster or graph.
  struct Attribute {
    let name: String
    let value: String

    /// A plain attribute: `value` is quoted and escaped (for a tooltip,
    /// which Graphviz unescapes twice, backslashes doubly so).
    init(_ name: String, _ value: String) {
      self.name = name
      self.value = quoted(value, unescapedTwice: name == "tooltip")
    }

    /// A record label: `fields` side by side, or stacked when `stacked`
    /// (in a top-to-bottom graph; Graphviz turns records with the ranks).
    static func record(_ name: String, _ fields: [String], stacked: Bool) -> Attribute {
      let body = fields.map(recordField).joined(separator: "|")
      return Attribute(name: name, value: "\"" + (stacked ? "{" + body + "}" : body) + "\"")
    }

    private init(name: String, value: String) {
      self.name = name
      self.value = value
    }
  }

  /// The defaults: `graph`, `node` and `edge` statements.
  private var header = ""
  /// Nodes and clusters.
  private var text = ""
  private var edges = ""
  private var depth = 1

  /// Starts a directed graph with graph-wide, node-wide and edge-wide defaults.
  init(graph: [Attribute], nodes: [Attribute], edges: [Attribute]) {
    Self.append("  graph", graph, to: &header)
    Self.append("  node", nodes, to: &header)
    Self.append("  edge", edges, to: &header)
  }

  /// Whether nothing but the defaults has been written.
  var isEmpty: Bool { text.isEmpty && edges.isEmpty }

  /// A node `id` (an identifier made of letters, digits and `_`).
  mutating func node(_ id: String, _ attributes: [Attribute]) {
    statement(id, attributes)
  }

  /// An edge from node `from` to node `to` (written at the end).
  mutating func edge(_ from: String, _ to: String, _ attributes: [Attribute] = []) {
    edges += "  "
    Self.append(from + " -> " + to, attributes, to: &edges)
  }

  /// Opens a cluster (a box around the nodes written until ``endCluster()``).
  mutating func beginCluster(_ id: String, _ attributes: [Attribute]) {
    indent()
    text += "subgraph cluster_" + id + " {\n"
    depth += 1
    for attribute in attributes {
      indent()
      text += attribute.name + "=" + attribute.value + ";\n"
    }
  }

  /// Closes the innermost open cluster.
  mutating func endCluster() {
    depth -= 1
    indent()
    text += "}\n"
  }

  /// The finished DOT text, with `graph` attributes added to the defaults.
  func finished(adding graph: [Attribute] = []) -> String {
    Self.joining([self], adding: graph)
  }

  /// One graph holding the statements of all `parts` (whose node names
  /// must differ), with the first part's defaults and `graph` attributes.
  static func joining(_ parts: [DOTWriter], adding graph: [Attribute] = []) -> String {
    precondition(parts.allSatisfy { $0.depth == 1 }, "a cluster was left open")
    var result = "digraph G {\n" + (parts.first?.header ?? "")
    if !graph.isEmpty { append("  graph", graph, to: &result) }
    for part in parts { result += part.text }
    for part in parts { result += part.edges }
    return result + "}\n"
  }

  private mutating func statement(_ head: String, _ attributes: [Attribute]) {
    indent()
    Self.append(head, attributes, to: &text)
  }

  private static func append(_ head: String, _ attributes: [Attribute], to output: inout String) {
    output += head
    if !attributes.isEmpty {
      output += " ["
      for (index, attribute) in attributes.enumerated() {
        if index > 0 { output += ", " }
        output += attribute.name + "=" + attribute.value
      }
      output += "]"
    }
    output += ";\n"
  }

  private mutating func indent() {
    text += String(repeating: "  ", count: depth)
  }
}

/// `text` as a DOT quoted string: backslashes and double quotes escaped (so
/// no `\N`, `\G`, `\l` escape of Graphviz's ever fires), newlines as `\n`
/// and other control characters dropped.
///
/// A label's text is unescaped once; a tooltip's twice (Graphviz 2.4x
/// substitutes `\N` and friends, then reads `\n` and `\\` again for the
/// SVG title), so its backslashes are written four times over.
func quoted(_ text: String, unescapedTwice: Bool = false) -> String {
  let backslash = unescapedTwice ? "\\\\\\\\" : "\\\\"
  var result = "\""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\\": result += backslash
    case "\"": result += "\\\""
    case "\n": result += "\\n"
    case _ where scalar.properties.generalCategory == .control: continue
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result + "\""
}

/// `text` as one field of a record label, inside a DOT quoted string: the
/// record's own characters `{}|<>` and backslashes escaped with a
/// backslash, double quotes as `\"`, newlines as `\n`.
func recordField(_ text: String) -> String {
  var result = ""
  for scalar in text.unicodeScalars {
    switch scalar {
    case "\\": result += "\\\\"
    case "{", "}", "|", "<", ">": result += "\\" + String(scalar)
    case "\"": result += "\\\""
    case "\n": result += "\\n"
    case _ where scalar.properties.generalCategory == .control: continue
    default: result.unicodeScalars.append(scalar)
    }
  }
  return result
}
