import Testing

@testable import Micrograd

@Suite struct LossTests {
  @Test func mseMatchesHandComputation() {
    let prediction: [Float] = [0.5, -1, 2, 3.25, 0, -0.75]
    let target: [Float] = [1, -1.5, 2.5, 3, 1, 0.25]
    let loss = mseLoss(Tensor(prediction, shape: [2, 3]), Tensor(target, shape: [2, 3]))
    let expected = zip(prediction, target).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / 6
    #expect(loss.shape == [])
    expectValues(loss.scalars, [Float(expected)])
  }

  @Test func hingeMatchesHandComputation() {
    // Margins 1 - y·s: -1, 1.5, 1.3, -0.7, 0.1, 0.8; the negative ones are cut to 0.
    let scores: [Float] = [2, -0.5, 0.3, -1.7, 0.9, -0.2]
    let labels: [Float] = [1, 1, -1, -1, 1, -1]
    let loss = hingeLoss(Tensor(scores), Tensor(labels))
    let expected = zip(scores, labels).reduce(0.0) { $0 + max(0, 1 - Double($1.1) * Double($1.0)) } / 6
    expectValues(loss.scalars, [Float(expected)])
  }

  @Test func l2PenaltyMatchesHandComputation() {
    let a: [Float] = [0.5, -1, 2, 0.25]
    let b: [Float] = [3, -0.5, 1]
    let penalty = l2Penalty([Tensor(a, shape: [2, 2]), Tensor(b)])
    expectValues(penalty.scalars, [Float((a + b).reduce(0.0) { $0 + Double($1) * Double($1) })])
    #expect(l2Penalty([]).item() == 0)
  }

  @Test func gradientsMatchFiniteDifferences() {
    var random = TestRandom(seed: 9)
    let prediction = random.tensor([3, 4])
    let target = random.tensor([3, 4])
    expectGradientsMatchFiniteDifferences([prediction, target]) { mseLoss($0[0], $0[1]) }
    // Margins stay at least 0.1 from the kink at 0, well beyond the step 0.01.
    let scores = Tensor([2, -0.5, 0.3, -1.7, 0.9, -0.2], requiresGrad: true)
    let labels = Tensor([1, 1, -1, -1, 1, -1])
    expectGradientsMatchFiniteDifferences([scores]) { hingeLoss($0[0], labels) }
    let a = random.tensor([2, 3])
    let b = random.tensor([4])
    expectGradientsMatchFiniteDifferences([a, b]) { l2Penalty($0) }
  }

  @Test func mismatchedShapesStop() async {
    let result = await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
      _ = hingeLoss(Tensor.zeros([3, 1]), Tensor.zeros([3]))
    }
    let message = String(decoding: result?.standardErrorContent ?? [], as: UTF8.self)
    #expect(message.contains("hingeLoss: shapes [3, 1] and [3] differ"))
    #expect(message.contains("LossTests.swift:"))
  }
}
