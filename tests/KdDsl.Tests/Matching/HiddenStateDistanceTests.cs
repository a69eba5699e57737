using System;
using System.Linq;
using KdDsl.Matching;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>The distances against values computed by hand for two tokens of width 2: S = [[1,2],[3,4]], T = [[2,0],[0,1]].</summary>
public sealed class HiddenStateDistanceTests
{
    private static Tensor S() => tensor(new float[] { 1, 2, 3, 4 }).reshape(2, 2);

    private static Tensor T() => tensor(new float[] { 2, 0, 0, 1 }).reshape(2, 2);

    private static double Value(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    [Fact]
    public void Squared_l2_mse_and_cosine_by_hand()
    {
        using var scope = NewDisposeScope();
        // Differences [-1, 2] and [3, 3]: squared norms 5 and 18, mean 11.5; MSE (1+4+9+9)/4 = 5.75.
        Assert.Equal(11.5, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.SquaredL2)), 5);
        Assert.Equal(5.75, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.Mse)), 5);
        // cos([1,2],[2,0]) = 2/(sqrt5*2) = 1/sqrt5; cos([3,4],[0,1]) = 4/5. Mean of 1 - cos.
        double cosine = ((1 - 1 / Math.Sqrt(5)) + (1 - 0.8)) / 2;
        Assert.Equal(cosine, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.Cosine)), 5);
    }

    [Fact]
    public void Normalisations_by_hand()
    {
        using var scope = NewDisposeScope();
        // L2: unit vectors, so |a - b|^2 = 2 - 2 cos: mean 2 * (mean of 1 - cos).
        double cosine = ((1 - 1 / Math.Sqrt(5)) + (1 - 0.8)) / 2;
        Assert.Equal(2 * cosine, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.SquaredL2, HiddenNormalization.L2)), 5);
        // LayerNorm of a width-2 vector [a, b] with a < b is [-1, 1] (population variance, eps 1e-5 aside); [2, 0] gives [1, -1].
        // Token 1: [-1, 1] vs [1, -1], squared distance 8; token 2: [-1, 1] vs [-1, 1], 0. Mean 4.
        Assert.Equal(4, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.SquaredL2, HiddenNormalization.LayerNorm)), 3);
        // Cosine is scale-invariant: L2 normalisation does not change it.
        Assert.Equal(cosine, Value(HiddenStateDistance.Compute(S(), T(), HiddenDistance.Cosine, HiddenNormalization.L2)), 5);
    }

    [Fact]
    public void Sequences_average_over_every_token()
    {
        using var scope = NewDisposeScope();
        // [N=2, L=2, W=2]: the same two tokens twice, plus two identical (distance 0) tokens: (5 + 18 + 0 + 0) / 4.
        var s = cat(new[] { S(), zeros(2, 2) }).reshape(2, 2, 2);
        var t = cat(new[] { T(), zeros(2, 2) }).reshape(2, 2, 2);
        Assert.Equal(23.0 / 4, Value(HiddenStateDistance.Compute(s, t, HiddenDistance.SquaredL2)), 5);
    }

    [Fact]
    public void Different_shapes_are_refused()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => HiddenStateDistance.Compute(zeros(2, 3), zeros(2, 2), HiddenDistance.SquaredL2));
    }

    [Fact]
    public void Matcher_projects_each_pair_and_averages_over_pairs()
    {
        using var scope = NewDisposeScope();
        var studentShape = new LayerStackShape("student", "S", "blocks", null, 2, 2);
        var teacherShape = new LayerStackShape("teacher", "T", "blocks", null, 4, 3);
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Forward), studentShape, teacherShape, 0); // S1->T2, S2->T4
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.SquaredL2, HiddenNormalization.None);
        Assert.Equal(2, matcher.ProjectionCount);
        Assert.Null(matcher.Projection(0).bias);
        using (no_grad())
        {
            // P0 = [[1,0],[0,1],[0,0]] (pads a zero), P1 = [[0,1],[1,0],[1,1]] (swaps, adds the sum).
            matcher.Projection(0).weight!.copy_(tensor(new float[] { 1, 0, 0, 1, 0, 0 }).reshape(3, 2));
            matcher.Projection(1).weight!.copy_(tensor(new float[] { 0, 1, 1, 0, 1, 1 }).reshape(3, 2));
        }
        var studentStates = map.StudentCapture();
        var teacherStates = map.TeacherCapture();
        Assert.False(teacherStates.Keeps(1));
        Assert.True(teacherStates.Keeps(2));
        var student = new Fake(new[] { tensor(new float[] { 0, 0 }).reshape(1, 2), tensor(new float[] { 1, 2 }).reshape(1, 2), tensor(new float[] { 3, 4 }).reshape(1, 2) });
        var teacher = new Fake(Enumerable.Range(0, 5).Select(i => full(1, 3, (float)i)).ToArray());
        LayerCapture.Forward(student, zeros(1, 2), studentStates);
        var logits = LayerCapture.Forward(teacher, zeros(1, 2), teacherStates);
        // Pair 1: P0 [1,2] = [1,2,0] vs T2 = [2,2,2]: 1 + 0 + 4 = 5. Pair 2: P1 [3,4] = [4,3,7] vs T4 = [4,4,4]: 0 + 1 + 9 = 10.
        Assert.Equal(7.5, Value(matcher.Loss(studentStates, teacherStates, logits)), 5);
    }

    /// <summary>A "model" whose states are given: Embed returns state 0, Layer(i) returns state i+1.</summary>
    private sealed class Fake : ILayeredModule
    {
        private readonly Tensor[] states;

        public Fake(Tensor[] states) => this.states = states;

        public int LayerCount => states.Length - 1;

        public int HiddenWidth => (int)states[0].shape[1];

        public Tensor Embed(Tensor input) => states[0];

        public Tensor Layer(int index, Tensor hidden) => states[index + 1];

        public Tensor Head(Tensor hidden) => hidden.sum(1, keepdim: true);
    }
}
