using System;
using System.Linq;
using KdDsl.Matching;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>
/// The relational distances (SP, RKD-D, RKD-A, RKD-DA, PKT) against independent float64 references written as plain loops over
/// double arrays, on feature maps and vectors whose widths, sizes and ranks differ between student and teacher; their
/// invariances; finite gradients on degenerate batches; the layer map (no connector, no resize) and the token mask.
/// </summary>
public sealed class RelationalDistanceTests
{
    private static readonly HiddenDistance[] Relational =
    {
        HiddenDistance.SimilarityPreserving, HiddenDistance.RelationalDistance, HiddenDistance.RelationalAngle,
        HiddenDistance.RelationalDistanceAngle, HiddenDistance.ProbabilisticTransfer,
    };

    public static TheoryData<HiddenDistance> Distances()
    {
        var data = new TheoryData<HiddenDistance>();
        foreach (var d in Relational) data.Add(d);
        return data;
    }

    private static double Value(Tensor t) => t.to(ScalarType.Float64).item<double>();

    // ---- The float64 reference: plain loops over double arrays ------------------------------------------------------

    /// <summary>The per-sample vectors a distance compares: every value of the sample (SP), or a feature map's channel means.</summary>
    private static double[][] Vectors(Tensor state, bool flatten)
    {
        var v = state.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        int b = (int)state.shape[0];
        int per = v.Length / b;
        var rows = new double[b][];
        if (flatten || state.dim() == 2)
        {
            for (int i = 0; i < b; i++) rows[i] = v.Skip(i * per).Take(per).ToArray();
            return rows;
        }
        int c = (int)state.shape[1], pixels = per / c;
        for (int i = 0; i < b; i++)
        {
            rows[i] = new double[c];
            for (int ch = 0; ch < c; ch++)
            {
                double sum = 0;
                for (int p = 0; p < pixels; p++) sum += v[i * per + ch * pixels + p];
                rows[i][ch] = sum / pixels;
            }
        }
        return rows;
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    private static double Huber(double x) => Math.Abs(x) < 1 ? 0.5 * x * x : Math.Abs(x) - 0.5;

    private static double ReferenceSp(double[][] s, double[][] t)
    {
        int b = s.Length;
        double[][] Gram(double[][] a)
        {
            var g = new double[b][];
            for (int i = 0; i < b; i++)
            {
                g[i] = new double[b];
                for (int j = 0; j < b; j++) g[i][j] = Dot(a[i], a[j]);
                double norm = Math.Max(Math.Sqrt(Dot(g[i], g[i])), 1e-12);
                for (int j = 0; j < b; j++) g[i][j] /= norm;
            }
            return g;
        }
        var gs = Gram(s);
        var gt = Gram(t);
        double sum = 0;
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) sum += (gt[i][j] - gs[i][j]) * (gt[i][j] - gs[i][j]);
        return sum / (b * b);
    }

    private static double ReferenceDistance(double[][] s, double[][] t)
    {
        int b = s.Length;
        double[,] Normalised(double[][] e)
        {
            var d = new double[b, b];
            double total = 0;
            for (int i = 0; i < b; i++)
            {
                for (int j = 0; j < b; j++)
                {
                    if (i == j) continue;
                    double sq = 0;
                    for (int k = 0; k < e[i].Length; k++) sq += (e[i][k] - e[j][k]) * (e[i][k] - e[j][k]);
                    d[i, j] = Math.Sqrt(sq);
                    total += d[i, j];
                }
            }
            double mean = total / (b * (b - 1));
            for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) d[i, j] /= mean;
            return d;
        }
        var ds = Normalised(s);
        var dt = Normalised(t);
        double sum = 0;
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) sum += Huber(ds[i, j] - dt[i, j]);
        return sum / (b * b);
    }

    private static double ReferenceAngle(double[][] s, double[][] t)
    {
        int b = s.Length;
        double Cos(double[][] e, int i, int j, int k)
        {
            int w = e[i].Length;
            var u = new double[w];
            var v = new double[w];
            for (int x = 0; x < w; x++)
            {
                u[x] = e[j][x] - e[i][x];
                v[x] = e[k][x] - e[i][x];
            }
            double nu = Math.Max(Math.Sqrt(Dot(u, u)), 1e-12), nv = Math.Max(Math.Sqrt(Dot(v, v)), 1e-12);
            return Dot(u, v) / (nu * nv);
        }
        double sum = 0;
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) for (int k = 0; k < b; k++) sum += Huber(Cos(s, i, j, k) - Cos(t, i, j, k));
        return sum / (b * b * b);
    }

    private static double ReferencePkt(double[][] s, double[][] t)
    {
        const double eps = 1e-7;
        int b = s.Length;
        double[,] Conditional(double[][] x)
        {
            var unit = x.Select(r =>
            {
                double norm = Math.Sqrt(Dot(r, r));
                return r.Select(v => v / (norm + eps)).ToArray();
            }).ToArray();
            var p = new double[b, b];
            for (int i = 0; i < b; i++)
            {
                double row = 0;
                for (int j = 0; j < b; j++)
                {
                    p[i, j] = (Dot(unit[i], unit[j]) + 1) / 2;
                    row += p[i, j];
                }
                for (int j = 0; j < b; j++) p[i, j] /= row;
            }
            return p;
        }
        var q = Conditional(s);
        var pt = Conditional(t);
        double sum = 0;
        for (int i = 0; i < b; i++) for (int j = 0; j < b; j++) sum += pt[i, j] * Math.Log((pt[i, j] + eps) / (q[i, j] + eps));
        return sum / (b * b);
    }

    private static double Reference(HiddenDistance distance, Tensor student, Tensor teacher)
    {
        bool flatten = distance == HiddenDistance.SimilarityPreserving;
        var s = Vectors(student, flatten);
        var t = Vectors(teacher, flatten);
        return distance switch
        {
            HiddenDistance.SimilarityPreserving => ReferenceSp(s, t),
            HiddenDistance.RelationalDistance => ReferenceDistance(s, t),
            HiddenDistance.RelationalAngle => ReferenceAngle(s, t),
            HiddenDistance.RelationalDistanceAngle => ReferenceDistance(s, t) + 2 * ReferenceAngle(s, t),
            _ => ReferencePkt(s, t),
        };
    }

    // ---- Values --------------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Distances))]
    public void Feature_maps_of_different_channels_and_sizes_match_the_float64_reference(HiddenDistance distance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(11);
        var s = randn(new long[] { 6, 3, 2, 3 }, generator: generator);
        var t = randn(new long[] { 6, 5, 4, 4 }, generator: generator);
        double expected = Reference(distance, s, t);
        Assert.True(expected > 1e-4, $"the reference is {expected}: too small to test anything");
        Assert.Equal(expected, Value(HiddenStateDistance.Compute(s, t, distance)), 5);
        // In float64 the implementation is the reference up to rounding.
        Assert.Equal(expected, Value(HiddenStateDistance.Compute(s.to(ScalarType.Float64), t.to(ScalarType.Float64), distance)), 10);
    }

    [Theory]
    [MemberData(nameof(Distances))]
    public void Vectors_of_different_widths_and_mixed_ranks_match_the_float64_reference(HiddenDistance distance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(12);
        var s = randn(new long[] { 5, 7 }, generator: generator);
        var t = randn(new long[] { 5, 11 }, generator: generator);
        Assert.Equal(Reference(distance, s, t), Value(HiddenStateDistance.Compute(s, t, distance)), 5);
        // A vector student against a feature-map teacher: each is turned into its own per-sample vectors.
        var map = randn(new long[] { 5, 4, 3, 3 }, generator: generator);
        Assert.Equal(Reference(distance, s, map), Value(HiddenStateDistance.Compute(s, map, distance)), 5);
    }

    [Fact]
    public void The_combined_rkd_is_distance_plus_twice_angle()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(13);
        var s = randn(new long[] { 7, 4, 2, 2 }, generator: generator);
        var t = randn(new long[] { 7, 8, 2, 2 }, generator: generator);
        double d = Value(HiddenStateDistance.Compute(s, t, HiddenDistance.RelationalDistance));
        double a = Value(HiddenStateDistance.Compute(s, t, HiddenDistance.RelationalAngle));
        Assert.Equal(d + 2 * a, Value(HiddenStateDistance.Compute(s, t, HiddenDistance.RelationalDistanceAngle)), 5);
    }

    [Fact]
    public void Identical_relations_give_zero()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(14);
        var t = randn(new long[] { 6, 5 }, generator: generator);
        foreach (var distance in Relational)
            Assert.Equal(0, Value(HiddenStateDistance.Compute(t.clone(), t, distance)), 6);
    }

    // ---- Invariances ---------------------------------------------------------------------------------------------------

    [Fact]
    public void Sp_rkd_and_pkt_are_invariant_to_the_scale_of_the_student_and_rkd_angle_to_its_translation()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(15);
        var s = randn(new long[] { 6, 3, 2, 2 }, generator: generator);
        var t = randn(new long[] { 6, 5, 2, 2 }, generator: generator);
        foreach (var distance in Relational)
        {
            double plain = Value(HiddenStateDistance.Compute(s, t, distance));
            Assert.Equal(plain, Value(HiddenStateDistance.Compute(s * 3.7, t, distance)), 4);
            Assert.Equal(plain, Value(HiddenStateDistance.Compute(s * 0.05, t, distance)), 4);
        }
        // Angles of differences: a shift of every sample by the same vector changes nothing (distances neither).
        var shift = randn(new long[] { 1, 3, 1, 1 }, generator: generator) * 5;
        foreach (var distance in new[] { HiddenDistance.RelationalAngle, HiddenDistance.RelationalDistance, HiddenDistance.RelationalDistanceAngle })
        {
            double plain = Value(HiddenStateDistance.Compute(s, t, distance));
            Assert.Equal(plain, Value(HiddenStateDistance.Compute(s * 2.5 + shift, t, distance)), 4);
        }
        // SP and PKT are not translation invariant: a shift changes the similarities.
        Assert.NotEqual(Value(HiddenStateDistance.Compute(s, t, HiddenDistance.SimilarityPreserving)),
            Value(HiddenStateDistance.Compute(s + shift, t, HiddenDistance.SimilarityPreserving)), 3);
    }

    // ---- Gradients -----------------------------------------------------------------------------------------------------

    [Theory]
    [MemberData(nameof(Distances))]
    public void Gradients_are_finite_with_identical_samples_zero_samples_and_tiny_batches(HiddenDistance distance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(16);
        var s = randn(new long[] { 5, 3, 2, 2 }, generator: generator);
        var t = randn(new long[] { 5, 6, 2, 2 }, generator: generator);
        // Samples 0 and 1 identical in both models (zero distances, zero differences), sample 4 all zeros in the student.
        s[1].copy_(s[0]);
        t[1].copy_(t[0]);
        s[4].zero_();
        foreach (var (student, teacher) in new[] { (s, t), (s.narrow(0, 0, 2), t.narrow(0, 0, 2)), (s.narrow(0, 0, 1), t.narrow(0, 0, 1)) })
        {
            var leaf = student.detach().clone().requires_grad_(true);
            var loss = HiddenStateDistance.Compute(leaf, teacher, distance);
            Assert.True(double.IsFinite(Value(loss)), $"{distance} on {student.shape[0]} samples gives {Value(loss)}");
            loss.backward();
            var gradient = leaf.grad!.to(ScalarType.Float64).data<double>().ToArray();
            Assert.All(gradient, g => Assert.True(double.IsFinite(g), $"{distance} on {student.shape[0]} samples: gradient {g}"));
        }
        // One sample: nothing to relate, the term is 0.
        Assert.Equal(0, Value(HiddenStateDistance.Compute(s.narrow(0, 0, 1), t.narrow(0, 0, 1), distance)), 6);
    }

    // ---- The layer map, the matcher and the token mask -----------------------------------------------------------------

    private static LayerStackShape Stack(string role, params long[][] shapes) =>
        new(role, role == "student" ? "S" : "T", "blocks", null, shapes.Length - 1, (int)shapes[^1][0], shapes);

    [Theory]
    [MemberData(nameof(Distances))]
    public void The_map_makes_no_connector_and_no_resize_and_the_matcher_is_the_mean_over_pairs(HiddenDistance distance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(17);
        // Pair 0: 3@2x3 vs 5@4x4 (channels and sizes differ); pair 1: a vector against a feature map (ranks differ).
        var settings = new MatchingSettings(LayerSelection.Explicit, Distance: distance, Projection: false,
            ExplicitMap: new[] { ("blocks.0", "blocks.0"), ("blocks.1", "blocks.1") });
        var map = LayerMapping.Resolve(settings,
            Stack("student", new long[] { 3, 2, 3 }, new long[] { 3, 2, 3 }, new long[] { 7 }),
            Stack("teacher", new long[] { 5, 4, 4 }, new long[] { 5, 4, 4 }, new long[] { 4, 3, 3 }), 0);
        Assert.All(map.Plans, p => Assert.False(p.NeedsConnector));
        Assert.All(map.Plans, p => Assert.Null(p.PooledSize));
        Assert.False(map.NeedsProjection);
        Assert.Equal(4, map.Plans[1].TeacherWidth);
        using var matcher = new HiddenStateMatcher(map, distance, HiddenNormalization.None);
        Assert.Equal(0, matcher.ProjectionCount);
        Assert.Empty(matcher.parameters());

        var s = new[] { randn(new long[] { 4, 3, 2, 3 }, generator: generator), randn(new long[] { 4, 3, 2, 3 }, generator: generator), randn(new long[] { 4, 7 }, generator: generator) };
        var t = new[] { randn(new long[] { 4, 5, 4, 4 }, generator: generator), randn(new long[] { 4, 5, 4, 4 }, generator: generator), randn(new long[] { 4, 4, 3, 3 }, generator: generator) };
        var sc = map.StudentCapture();
        var tc = map.TeacherCapture();
        var logits = LayerCapture.Forward(new Fake(s), zeros(1), sc);
        LayerCapture.Forward(new Fake(t), zeros(1), tc);
        double expected = (Reference(distance, s[1], t[1]) + Reference(distance, s[2], t[2])) / 2;
        Assert.Equal(expected, Value(matcher.Loss(sc, tc, logits)), 5);
    }

    [Fact]
    public void A_normalization_is_refused_and_sequences_must_agree_in_length()
    {
        using var scope = NewDisposeScope();
        Assert.Throws<ArgumentException>(() => HiddenStateDistance.Compute(randn(4, 3), randn(4, 5), HiddenDistance.ProbabilisticTransfer, HiddenNormalization.L2));
        var error = Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(
            new MatchingSettings(LayerSelection.Forward, Distance: HiddenDistance.SimilarityPreserving),
            Stack("student", new long[] { 6, 8 }, new long[] { 6, 8 }), Stack("teacher", new long[] { 5, 8 }, new long[] { 5, 8 }), 0));
        Assert.Contains("differ in length", error.Message);
        Assert.Equal(3, HiddenStateDistance.MinimumBatchSize(HiddenDistance.RelationalAngle));
        Assert.Equal(2, HiddenStateDistance.MinimumBatchSize(HiddenDistance.SimilarityPreserving));
        Assert.Equal(1, HiddenStateDistance.MinimumBatchSize(HiddenDistance.Mse));
    }

    [Theory]
    [MemberData(nameof(Distances))]
    public void Padding_tokens_take_no_part_whatever_they_hold(HiddenDistance distance)
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(18);
        var s = randn(new long[] { 4, 5, 3 }, generator: generator);
        var t = randn(new long[] { 4, 5, 6 }, generator: generator);
        var lengths = new[] { 5, 2, 4, 1 };
        var mask = arange(5).unsqueeze(0) < tensor(lengths.Select(l => (long)l).ToArray()).unsqueeze(1); // [4, 5]
        // The reference: padding zeroed (SP flattens) or each sample's mean over its real tokens (RKD, PKT).
        bool flatten = distance == HiddenDistance.SimilarityPreserving;
        Tensor Reduce(Tensor x)
        {
            var rows = new Tensor[4];
            for (int n = 0; n < 4; n++)
            {
                var real = x[n].narrow(0, 0, lengths[n]);
                rows[n] = flatten ? cat(new[] { real, zeros(5 - lengths[n], x.shape[2]) }).flatten() : real.mean(new long[] { 0 });
            }
            return stack(rows);
        }
        double expected = Reference(distance, Reduce(s), Reduce(t));
        var garbage = s.clone();
        var leaf = garbage.masked_fill(mask.logical_not().unsqueeze(-1), double.NaN).detach().requires_grad_(true);
        var loss = HiddenStateDistance.Compute(leaf, t.masked_fill(mask.logical_not().unsqueeze(-1), 1e20), distance, HiddenNormalization.None, mask);
        Assert.Equal(expected, Value(loss), 5);
        loss.backward();
        var gradient = leaf.grad!.to(ScalarType.Float64);
        Assert.All(gradient.data<double>().ToArray(), g => Assert.True(double.IsFinite(g)));
        Assert.Equal(0, Value(gradient.masked_select(mask.logical_not().unsqueeze(-1).expand(4, 5, 3)).abs().sum()));
    }

    /// <summary>A "model" whose states are given: Embed returns state 0, Layer(i) returns state i+1.</summary>
    private sealed class Fake(Tensor[] states) : ILayeredModule
    {
        public int LayerCount => states.Length - 1;

        public int HiddenWidth => (int)states[^1].shape[1];

        public Tensor Embed(Tensor input) => states[0];

        public Tensor Layer(int index, Tensor hidden) => states[index + 1];

        public Tensor Head(Tensor hidden) => hidden.flatten(1).sum(1, keepdim: true);
    }
}
