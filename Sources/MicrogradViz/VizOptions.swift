/// What a picture shows and how it is laid out.
public struct VizOptions: Sendable {
  /// Which instructions of a program to draw.
  public enum Section: String, CaseIterable, Sendable {
    case forward, backward, update, all
  }

  /// The direction the graph flows in.
  public enum RankDirection: String, CaseIterable, Sendable {
    /// Top to bottom.
    case topToBottom = "TB"
    /// Left to right.
    case leftToRight = "LR"
  }

  /// Which instructions of a program to draw (ignored for tensor graphs).
  public var section: Section
  /// The direction the graph flows in.
  public var rankDirection: RankDirection
  /// Draw each fused kernel as one node instead of a cluster of its ops.
  public var collapseFusedKernels: Bool
  /// Show tensors' data and gradients (constants' values in a program).
  public var showValues: Bool
  /// Show the memory plan's buffer of each value, when the program has one.
  public var showBuffers: Bool
  /// Above this many instructions a program is drawn in brief, so that it
  /// lays out in seconds: fused kernels collapsed, shapes moved from edge
  /// labels to edge tooltips, straight edges.
  public var briefAbove: Int

  /// Creates options; the defaults draw everything, top to bottom.
  public init(
    section: Section = .all, rankDirection: RankDirection = .topToBottom, collapseFusedKernels: Bool = false,
    showValues: Bool = true, showBuffers: Bool = true, briefAbove: Int = 1500
  ) {
    self.section = section
    self.rankDirection = rankDirection
    self.collapseFusedKernels = collapseFusedKernels
    self.showValues = showValues
    self.showBuffers = showBuffers
    self.briefAbove = briefAbove
  }
}
