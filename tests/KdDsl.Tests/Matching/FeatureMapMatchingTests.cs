using System;
using System.IO;
using System.Linq;
using KdDsl.Matching;
using KdDsl.Reporting;
using KdDsl.Training;
using TorchSharp.Modules;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>
/// Feature-map distillation: FitNets hints through a 1x1 convolution + BatchNorm connector, attention transfer and spatial
/// pooling against float64 references computed element by element, the shape checks before any step, and generated
/// experiments over conv models (FeatureMapExperiments.cs): cache, resume and angles with [N, C, H, W] states.
/// </summary>
public sealed class FeatureMapMatchingTests
{
    private static LayerStackShape Stack(string role, params long[][] shapes) =>
        new(role, role == "student" ? "S" : "T", "blocks", null, shapes.Length - 1, (int)shapes[^1][0], shapes);

    private static float[] Values(Tensor t) => t.detach().cpu().contiguous().data<float>().ToArray();

    private static double Value(Tensor t) => t.to(ScalarType.Float64).item<double>();

    /// <summary>Runs both fakes so the captures hold the given states.</summary>
    private static (CapturedStates Student, CapturedStates Teacher, Tensor Logits) Capture(ResolvedLayerMap map, Tensor[] student, Tensor[] teacher)
    {
        var s = map.StudentCapture();
        var t = map.TeacherCapture();
        var logits = LayerCapture.Forward(new Fake(student), zeros(1), s);
        LayerCapture.Forward(new Fake(teacher), zeros(1), t);
        return (s, t, logits);
    }

    // x[n, c, h, w] as doubles.
    private static double[,,,] Doubles(Tensor t)
    {
        var v = t.to(ScalarType.Float64).contiguous().data<double>().ToArray();
        long n = t.shape[0], c = t.shape[1], h = t.shape[2], w = t.shape[3];
        var a = new double[n, c, h, w];
        int i = 0;
        for (int a0 = 0; a0 < n; a0++) for (int a1 = 0; a1 < c; a1++) for (int a2 = 0; a2 < h; a2++) for (int a3 = 0; a3 < w; a3++) a[a0, a1, a2, a3] = v[i++];
        return a;
    }

    [Fact]
    public void Hints_go_through_a_1x1_convolution_and_batch_norm_and_match_a_float64_reference()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(3);
        var s = randn(new long[] { 2, 3, 2, 3 }, generator: generator);
        var t = randn(new long[] { 2, 4, 2, 3 }, generator: generator);
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Explicit, ExplicitMap: new[] { ("blocks.0", "blocks.0") }),
            Stack("student", new long[] { 3, 2, 3 }, new long[] { 3, 2, 3 }), Stack("teacher", new long[] { 4, 2, 3 }, new long[] { 4, 2, 3 }), 0);
        var plan = Assert.Single(map.Plans);
        Assert.True(plan.IsFeatureMap && plan.NeedsConnector && plan.PooledSize is null);
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.SquaredL2, HiddenNormalization.None);
        Assert.Equal(1, matcher.ProjectionCount);
        var connector = Assert.IsType<Sequential>(matcher.Connector(0));
        Assert.Equal(new[] { "projections.0.conv.weight", "projections.0.bn.weight", "projections.0.bn.bias" },
            matcher.named_parameters().Select(p => p.name).ToArray());
        var weight = randn(new long[] { 4, 3, 1, 1 }, generator: generator);
        using (no_grad()) matcher.named_parameters().First().parameter.copy_(weight);

        var (studentStates, teacherStates, logits) = Capture(map, new[] { s, s }, new[] { t, t });
        double loss = Value(matcher.Loss(studentStates, teacherStates, logits));

        // Reference: y = W x per pixel, BatchNorm in training mode (batch statistics, biased variance, eps 1e-5, gamma 1,
        // beta 0), then the squared L2 distance over channels per pixel, averaged over the 2 x 2 x 3 pixels.
        var x = Doubles(s);
        var target = Doubles(t);
        var w = weight.to(ScalarType.Float64).reshape(4, 3).data<double>().ToArray();
        var y = new double[2, 4, 2, 3];
        for (int n = 0; n < 2; n++) for (int o = 0; o < 4; o++) for (int h = 0; h < 2; h++) for (int q = 0; q < 3; q++)
        {
            double sum = 0;
            for (int c = 0; c < 3; c++) sum += w[o * 3 + c] * x[n, c, h, q];
            y[n, o, h, q] = sum;
        }
        for (int o = 0; o < 4; o++)
        {
            double mean = 0, variance = 0;
            for (int n = 0; n < 2; n++) for (int h = 0; h < 2; h++) for (int q = 0; q < 3; q++) mean += y[n, o, h, q] / 12;
            for (int n = 0; n < 2; n++) for (int h = 0; h < 2; h++) for (int q = 0; q < 3; q++) variance += Math.Pow(y[n, o, h, q] - mean, 2) / 12;
            for (int n = 0; n < 2; n++) for (int h = 0; h < 2; h++) for (int q = 0; q < 3; q++) y[n, o, h, q] = (y[n, o, h, q] - mean) / Math.Sqrt(variance + 1e-5);
        }
        double expected = 0;
        for (int n = 0; n < 2; n++) for (int o = 0; o < 4; o++) for (int h = 0; h < 2; h++) for (int q = 0; q < 3; q++)
            expected += Math.Pow(y[n, o, h, q] - target[n, o, h, q], 2) / 12;
        Assert.Equal(expected, loss, 4);

        // Mse is FitNets' mean over every element: the same sum divided by the 4 channels too.
        using var mse = new HiddenStateMatcher(map, HiddenDistance.Mse, HiddenNormalization.None);
        using (no_grad()) mse.named_parameters().First().parameter.copy_(weight);
        Assert.Equal(expected / 4, Value(mse.Loss(studentStates, teacherStates, logits)), 4);
    }

    [Fact]
    public void Attention_transfer_with_pooling_matches_a_float64_reference()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(4);
        var s = randn(new long[] { 2, 3, 2, 2 }, generator: generator);
        var t = randn(new long[] { 2, 5, 4, 4 }, generator: generator); // pooled to 2 x 2 (means of 2 x 2 blocks)
        var settings = new MatchingSettings(LayerSelection.Explicit, Distance: HiddenDistance.AttentionTransfer,
            ExplicitMap: new[] { ("blocks.0", "blocks.0") }, Resize: SpatialResize.AdaptiveAveragePool);
        var map = LayerMapping.Resolve(settings,
            Stack("student", new long[] { 3, 2, 2 }, new long[] { 3, 2, 2 }), Stack("teacher", new long[] { 5, 4, 4 }, new long[] { 5, 4, 4 }), 0);
        var plan = Assert.Single(map.Plans);
        Assert.False(plan.NeedsConnector); // attention maps are compared whatever the channel counts
        Assert.Equal(new long[] { 2, 2 }, plan.PooledSize);
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.AttentionTransfer, HiddenNormalization.None);
        Assert.Empty(matcher.parameters());
        var (studentStates, teacherStates, logits) = Capture(map, new[] { s, s }, new[] { t, t });
        double loss = Value(matcher.Loss(studentStates, teacherStates, logits));

        var x = Doubles(s);
        var big = Doubles(t);
        double expected = 0;
        for (int n = 0; n < 2; n++)
        {
            var a = new double[4];
            var b = new double[4];
            for (int h = 0; h < 2; h++) for (int q = 0; q < 2; q++)
            {
                for (int c = 0; c < 3; c++) a[h * 2 + q] += x[n, c, h, q] * x[n, c, h, q];
                for (int c = 0; c < 5; c++)
                {
                    double pooled = (big[n, c, 2 * h, 2 * q] + big[n, c, 2 * h + 1, 2 * q] + big[n, c, 2 * h, 2 * q + 1] + big[n, c, 2 * h + 1, 2 * q + 1]) / 4;
                    b[h * 2 + q] += pooled * pooled;
                }
            }
            double na = Math.Sqrt(a.Sum(v => v * v)), nb = Math.Sqrt(b.Sum(v => v * v));
            for (int p = 0; p < 4; p++) expected += Math.Pow(a[p] / na - b[p] / nb, 2) / 8; // mean over 2 samples x 4 pixels
        }
        Assert.Equal(expected, loss, 6);
        Assert.Equal(expected, Value(HiddenStateDistance.Compute(s, nn.functional.adaptive_avg_pool2d(t, new long[] { 2, 2 }), HiddenDistance.AttentionTransfer)), 6);
    }

    [Fact]
    public void Maps_whose_shapes_cannot_be_compared_are_refused_with_both_shapes()
    {
        var forward = new MatchingSettings(LayerSelection.Forward);
        var student = Stack("student", new long[] { 8, 8, 8 }, new long[] { 16, 4, 4 });
        var teacher = Stack("teacher", new long[] { 16, 8, 8 }, new long[] { 16, 8, 8 });
        var sizes = Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(forward, student, teacher, 0));
        Assert.Contains("student blocks.0 gives [16, 4, 4] per sample, teacher blocks.0 [16, 8, 8]", sizes.Message);
        Assert.Contains("Resize = SpatialResize.AdaptiveAveragePool", sizes.Message);
        var pooled = LayerMapping.Resolve(forward with { Resize = SpatialResize.AdaptiveAveragePool }, student, teacher, 0);
        Assert.Equal(new long[] { 4, 4 }, pooled.Plans[0].PooledSize);
        Assert.False(pooled.NeedsProjection); // 16 channels each

        var rank = Assert.Throws<LayerMatchingException>(() =>
            LayerMapping.Resolve(forward, Stack("student", new long[] { 8 }, new long[] { 8 }), teacher, 0));
        Assert.Contains("differ in rank", rank.Message);
        var attention = Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(forward with { Distance = HiddenDistance.AttentionTransfer },
            Stack("student", new long[] { 8 }, new long[] { 8 }), Stack("teacher", new long[] { 9 }, new long[] { 9 }), 0));
        Assert.Contains("AttentionTransfer compares feature maps", attention.Message);
        var channels = Assert.Throws<LayerMatchingException>(() => LayerMapping.Resolve(forward with { Projection = false },
            Stack("student", new long[] { 8, 8, 8 }, new long[] { 8, 8, 8 }), teacher, 0));
        Assert.Contains("width 8 differs from the teacher's 16", channels.Message);
    }

    [Fact]
    public void Angles_of_feature_maps_treat_every_pixel_as_a_token()
    {
        using var scope = NewDisposeScope();
        var generator = new Generator(5);
        var s = randn(new long[] { 2, 3, 2, 2 }, generator: generator);
        var t = new[] { randn(new long[] { 2, 3, 2, 2 }, generator: generator), randn(new long[] { 2, 3, 2, 2 }, generator: generator) };
        var maps = AngleAnalysis.Cosines(s, t);
        var rows = AngleAnalysis.Cosines(s.permute(0, 2, 3, 1).reshape(-1, 3), t.Select(x => x.permute(0, 2, 3, 1).reshape(-1, 3)).ToArray());
        Assert.Equal(8, maps.Length); // 8 pixels, one teacher pair
        Assert.Equal(rows, maps);
    }

    [Fact]
    public void A_generated_conv_experiment_trains_hints_through_connectors()
    {
        using var data = TinyImages.Splits();
        using var result = HintsImageKd.Run(data);
        Assert.Equal("blocks.0 -> stages.1, blocks.1 -> stages.2", result.LayerMap.ToString());
        Assert.Equal(new long[] { 16, 4, 4 }, result.LayerMap.Plans[0].StudentShape);
        Assert.Equal(new long[] { 32, 4, 4 }, result.LayerMap.Plans[0].TeacherShape);
        Assert.Equal(2, result.Matcher.ProjectionCount);
        Assert.Equal(new long[] { 64, 32, 1, 1 }, result.Matcher.named_parameters().Single(p => p.name == "projections.1.conv.weight").parameter.shape);
        Assert.All(result.Epochs, e => Assert.True(e.HiddenStates > 0 && double.IsFinite(e.HiddenStates)));
        Assert.True(result.Epochs[^1].HiddenStates < result.Epochs[0].HiddenStates); // the connectors and the student learn the hints
        Assert.InRange(result.StudentAccuracy, 0.4, 1.0); // chance is 0.25
    }

    [Fact]
    public void Cached_feature_maps_give_the_live_teachers_run()
    {
        using var data = TinyImages.Splits();
        using var live = HintsImageKd.Run(data);
        using var cached = CachedHintsImageKd.Run(data);
        var liveRows = ((IDistillationResult)live).LossHistory.Select(e => e.Terms.Append(e.Accuracy).ToArray()).ToArray();
        var cachedRows = ((IDistillationResult)cached).LossHistory.Select(e => e.Terms.Append(e.Accuracy).ToArray()).ToArray();
        Assert.Equal(liveRows.Length, cachedRows.Length);
        for (int epoch = 0; epoch < liveRows.Length; epoch++)
            for (int i = 0; i < liveRows[epoch].Length; i++)
                Assert.Equal(liveRows[epoch][i], cachedRows[epoch][i], 5);
        Assert.Equal(live.StudentAccuracy, cached.StudentAccuracy);
    }

    [Fact]
    public void An_interrupted_run_with_conv_connectors_resumes_to_the_uninterrupted_result()
    {
        using var data = TinyImages.Splits();
        string Fresh() => Path.Combine(Path.GetTempPath(), "kddsl-featuremaps-" + Guid.NewGuid().ToString("N") + ".ckpt");
        var options = new RunOptions { Epochs = 3 };
        using var uninterrupted = HintsImageKd.Run(data, options with { Checkpoint = Fresh() });
        string path = Fresh();
        Assert.Throws<OperationCanceledException>(() => HintsImageKd.Run(data, options with { Checkpoint = path, Progress = new Training.CrashAt(3, 2) }));
        using var resumed = HintsImageKd.Run(data, options with { Checkpoint = path });
        Assert.Equal(2, resumed.DistillationResumedAfterEpoch);
        Assert.Equal(uninterrupted.Epochs, resumed.Epochs); // every term and accuracy, bit for bit
        // The connectors' weights and BatchNorm statistics came back from the checkpoint.
        var a = uninterrupted.Matcher.state_dict();
        var b = resumed.Matcher.state_dict();
        Assert.Equal(a.Keys.OrderBy(k => k), b.Keys.OrderBy(k => k));
        Assert.Contains("projections.0.bn.running_mean", a.Keys);
        foreach (var key in a.Keys.Where(k => a[k].dtype == ScalarType.Float32)) Assert.Equal(Values(a[key]), Values(b[key]));
    }

    [Fact]
    public void Attention_transfer_runs_as_its_own_term_with_pooled_maps()
    {
        using var data = TinyImages.Splits();
        using var result = AttentionImageKd.Run(data);
        Assert.Equal(new[] { "CrossEntropy", "AttentionTransfer" }, result.LossTermNames);
        Assert.Equal(0, result.Matcher.ProjectionCount);
        Assert.Equal(new long[] { 2, 2 }, result.LayerMap.Plans[0].PooledSize); // blocks.0 16@4x4 vs stages.2 64@2x2
        Assert.All(result.Epochs, e => Assert.True(e.AttentionTransfer > 0 && e.AttentionTransfer < 2));
    }

    [Fact]
    public void Feature_maps_of_different_sizes_are_refused_before_the_teacher_trains()
    {
        using var data = TinyImages.Splits();
        var progress = new Recorder();
        var error = Assert.Throws<LayerMatchingException>(() => UnresizedHintsImageKd.Run(data, new RunOptions { Progress = progress }));
        Assert.Contains("student blocks.0 gives [16, 4, 4] per sample, teacher stages.2 [64, 2, 2]", error.Message);
        Assert.Equal(0, progress.Steps);
    }

    private sealed class Recorder : IProgress<TrainingProgress>
    {
        public int Steps { get; private set; }

        public void Report(TrainingProgress value) => Steps++;
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
