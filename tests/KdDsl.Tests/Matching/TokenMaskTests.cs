using System;
using System.Collections.Generic;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using KdDsl.Models;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>
/// Hidden-state matching and the angle analysis ignore padding tokens: the masked distance is the mean over the batch's real
/// tokens (checked by hand and against the unmasked distance of the sliced real tokens), padding content never reaches the
/// loss, [N, W] states are untouched, and the live, cached and generated paths all apply the student's mask.
/// </summary>
public sealed class TokenMaskTests
{
    private static double Value(Tensor t) => t.to_type(ScalarType.Float64).item<double>();

    private static readonly HiddenDistance[] Distances = { HiddenDistance.SquaredL2, HiddenDistance.Mse, HiddenDistance.Cosine };

    private static readonly HiddenNormalization[] Normalizations = { HiddenNormalization.None, HiddenNormalization.LayerNorm, HiddenNormalization.L2 };

    // [N = 2, L = 3, W = 2]. Sample 1 has three real tokens; sample 2 one real token, then two padding positions with junk.
    private static Tensor Student() => tensor(new float[] { 1, 2, 3, 4, 0, 1, /**/ 1, 1, 9, 9, 5, -3 }).reshape(2, 3, 2);

    private static Tensor Teacher() => tensor(new float[] { 2, 0, 0, 1, 0, 1, /**/ 1, 3, 0, 0, 7, 7 }).reshape(2, 3, 2);

    private static Tensor Mask() => tensor(new[] { true, true, true, true, false, false }).reshape(2, 3);

    /// <summary>The real tokens as rows [T, W]: the first <paramref name="lengths"/>[n] positions of sample n.</summary>
    private static Tensor RealRows(Tensor states, IReadOnlyList<int> lengths) =>
        cat(lengths.Select((length, n) => states[n].narrow(0, 0, length)).ToArray(), 0);

    [Fact]
    public void Masked_distances_by_hand()
    {
        using var scope = NewDisposeScope();
        // Real-token differences [-1, 2], [3, 3], [0, 0], [0, -2]: squared norms 5, 18, 0, 4. The mean over the batch's 4 real
        // tokens is 27/4 (the mean of per-sample means would be (23/3 + 4)/2 = 5.83; the unmasked mean over 6 positions differs too).
        Assert.Equal(27.0 / 4, Value(HiddenStateDistance.Compute(Student(), Teacher(), HiddenDistance.SquaredL2, HiddenNormalization.None, Mask())), 5);
        Assert.Equal(27.0 / 8, Value(HiddenStateDistance.Compute(Student(), Teacher(), HiddenDistance.Mse, HiddenNormalization.None, Mask())), 5);
        // cos([1,2],[2,0]) = 1/sqrt5, cos([3,4],[0,1]) = 4/5, cos([0,1],[0,1]) = 1, cos([1,1],[1,3]) = 4/sqrt20 = 2/sqrt5.
        double cosine = ((1 - 1 / Math.Sqrt(5)) + (1 - 0.8) + 0 + (1 - 2 / Math.Sqrt(5))) / 4;
        Assert.Equal(cosine, Value(HiddenStateDistance.Compute(Student(), Teacher(), HiddenDistance.Cosine, HiddenNormalization.None, Mask())), 5);
        Assert.NotEqual(27.0 / 4, Value(HiddenStateDistance.Compute(Student(), Teacher(), HiddenDistance.SquaredL2)), 3);
        // A 0/1 float mask is the same mask.
        Assert.Equal(27.0 / 4, Value(HiddenStateDistance.Compute(Student(), Teacher(), HiddenDistance.SquaredL2, HiddenNormalization.None, Mask().to_type(ScalarType.Float32))), 5);
    }

    [Fact]
    public void Masked_distance_is_the_unmasked_distance_of_the_sliced_real_tokens()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(5);
        var lengths = new[] { 5, 2, 1, 4 };
        var s = randn(4, 5, 6, dtype: ScalarType.Float64);
        var t = randn(4, 5, 6, dtype: ScalarType.Float64);
        var mask = tensor(lengths.SelectMany(length => Enumerable.Range(0, 5).Select(l => l < length)).ToArray()).reshape(4, 5);
        foreach (var distance in Distances)
        {
            foreach (var normalization in Normalizations)
            {
                double masked = Value(HiddenStateDistance.Compute(s, t, distance, normalization, mask));
                double sliced = Value(HiddenStateDistance.Compute(RealRows(s, lengths), RealRows(t, lengths), distance, normalization));
                Assert.Equal(sliced, masked, 12);
            }
        }
        // No real token at all: 0, not NaN.
        Assert.Equal(0, Value(HiddenStateDistance.Compute(s, t, HiddenDistance.Cosine, HiddenNormalization.L2, zeros(4, 5, dtype: ScalarType.Bool))));
        Assert.Throws<ArgumentException>(() => HiddenStateDistance.Compute(s, t, HiddenDistance.Mse, HiddenNormalization.None, ones(4, 6, dtype: ScalarType.Bool)));
    }

    [Fact]
    public void Padding_content_changes_neither_the_loss_nor_gets_a_gradient()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        var lengths = new[] { 7, 3, 0 };
        var mask = tensor(lengths.SelectMany(length => Enumerable.Range(0, 7).Select(l => l < length)).ToArray()).reshape(3, 7);
        var padding = mask.logical_not().unsqueeze(-1);
        var s = randn(3, 7, 4);
        var t = randn(3, 7, 4);
        var junkS = s.masked_fill(padding, 0) + randn(3, 7, 4) * 1000 * padding; // real tokens kept, padding replaced
        var junkT = t.masked_fill(padding, 0) + randn(3, 7, 4) * 1000 * padding;
        Assert.True(Value((junkS - s).abs().max()) > 1); // the padding did change
        foreach (var distance in Distances)
        {
            foreach (var normalization in Normalizations)
            {
                var before = HiddenStateDistance.Compute(s, t, distance, normalization, mask).item<float>();
                var after = HiddenStateDistance.Compute(junkS, junkT, distance, normalization, mask).item<float>();
                Assert.Equal(before, after); // to the bit
                Assert.NotEqual(HiddenStateDistance.Compute(s, t, distance, normalization).item<float>(),
                    HiddenStateDistance.Compute(junkS, junkT, distance, normalization).item<float>());

                var leaf = junkS.detach().requires_grad_(true);
                HiddenStateDistance.Compute(leaf, junkT, distance, normalization, mask).backward();
                Assert.Equal(0f, (leaf.grad! * padding).abs().sum().item<float>());
                Assert.True((leaf.grad! * mask.unsqueeze(-1)).abs().sum().item<float>() > 0);
            }
        }
    }

    [Fact]
    public void Per_sample_states_are_unchanged_to_the_bit()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(7);
        var s = randn(9, 5);
        var t = randn(9, 5);
        var anyMask = ones(9, 5, dtype: ScalarType.Bool); // ignored: [N, W] states have no tokens
        foreach (var normalization in Normalizations)
        {
            var ns = HiddenStateDistance.Normalize(s, normalization);
            var nt = HiddenStateDistance.Normalize(t, normalization);
            // The formulas as they were before token masks existed.
            Assert.Equal((ns - nt).square().sum(-1).mean().item<float>(), HiddenStateDistance.Compute(s, t, HiddenDistance.SquaredL2, normalization, anyMask).item<float>());
            Assert.Equal((ns - nt).square().mean().item<float>(), HiddenStateDistance.Compute(s, t, HiddenDistance.Mse, normalization, null).item<float>());
            Assert.Equal((1 - nn.functional.cosine_similarity(ns, nt, dim: -1, eps: 1e-8)).mean().item<float>(),
                HiddenStateDistance.Compute(s, t, HiddenDistance.Cosine, normalization, anyMask).item<float>());
        }

        // A LayeredMlp gives no mask, and its matcher loss is the old mean over pairs of the old distance.
        var student = new LayeredMlp(6, 3, 2, 4);
        var teacher = new LayeredMlp(6, 3, 4, 8);
        var map = LayerMapping.Resolve(new MatchingSettings(LayerSelection.Forward, MatchEmbeddings: true),
            LayerStackShape.Of(student, "student", "S", "blocks", "embedding"), LayerStackShape.Of(teacher, "teacher", "T", "blocks", "embedding"), 0);
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.SquaredL2, HiddenNormalization.LayerNorm);
        var input = randn(10, 6);
        Assert.Null(((ILayeredModule)student).TokenMask(input));
        var sCapture = map.StudentCapture();
        var tCapture = map.TeacherCapture();
        var logits = LayerCapture.Forward(student, input, sCapture);
        LayerCapture.Forward(teacher, input, tCapture);
        Assert.Null(sCapture.TokenMask);
        Tensor? sum = null;
        for (int i = 0; i < map.Pairs.Count; i++)
        {
            var ns = HiddenStateDistance.Normalize(matcher.Projection(i).call(sCapture[map.Pairs[i].StudentState]), HiddenNormalization.LayerNorm);
            var nt = HiddenStateDistance.Normalize(tCapture[map.Pairs[i].TeacherState].detach(), HiddenNormalization.LayerNorm);
            var d = (ns - nt).square().sum(-1).mean();
            sum = sum is null ? d : sum + d;
        }
        Assert.Equal((sum! / map.Pairs.Count).item<float>(), matcher.Loss(sCapture, tCapture, logits).item<float>());
    }

    /// <summary>Token ids in 2..15 of varied lengths (1 to 12 of 12), trailing padding; label: more 3s than 4s.</summary>
    public static (DatasetSplits Data, int[] TrainLengths) VariedLengthTokens(int train, int test, int seed)
    {
        var random = new Random(seed);
        var trainLengths = new int[train];
        LabeledDataset Make(int count, string name, int[]? lengths)
        {
            var features = new float[count * 12];
            var labels = new long[count];
            for (int n = 0; n < count; n++)
            {
                int length = random.Next(1, 13), balance = 0;
                if (lengths is not null) lengths[n] = length;
                for (int i = 0; i < length; i++)
                {
                    int id = random.Next(2, 16);
                    features[n * 12 + i] = id;
                    balance += id == 3 ? 1 : id == 4 ? -1 : 0;
                }
                labels[n] = balance > 0 ? 1 : 0;
            }
            return new LabeledDataset(name, tensor(features).reshape(count, 12), tensor(labels), 2);
        }
        return (new DatasetSplits(Make(train, "varied-train", trainLengths), Make(test, "varied-test", null)), trainLengths);
    }

    private static ResolvedLayerMap TextMap(ILayeredModule student, ILayeredModule teacher) =>
        LayerMapping.Resolve(new MatchingSettings(LayerSelection.Forward, MatchEmbeddings: true),
            LayerStackShape.Of(student, "student", "TinyTextStudent", "blocks", "embedding"),
            LayerStackShape.Of(teacher, "teacher", "TinyTextTeacher", "blocks", "embedding"), 0);

    /// <summary>The matcher's loss computed from the real tokens' rows only (the sliced, unmasked reference).</summary>
    private static double SlicedLoss(HiddenStateMatcher matcher, CapturedStates student, CapturedStates teacher, int[] lengths,
        HiddenDistance distance, HiddenNormalization normalization)
    {
        double sum = 0;
        for (int i = 0; i < matcher.Map.Pairs.Count; i++)
        {
            var s = student[matcher.Map.Pairs[i].StudentState];
            if (matcher.ProjectionCount > 0) s = matcher.Projection(i).call(s);
            sum += Value(HiddenStateDistance.Compute(RealRows(s, lengths), RealRows(teacher[matcher.Map.Pairs[i].TeacherState], lengths), distance, normalization));
        }
        return sum / matcher.Map.Pairs.Count;
    }

    [Fact]
    public void Transformer_gives_its_pooling_mask_and_padding_embeddings_do_not_reach_the_loss()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(8);
        var (data, lengths) = VariedLengthTokens(10, 1, 3);
        using var _ = data;
        var student = new TinyTextStudent();
        var teacher = new TinyTextTeacher();
        student.eval();
        teacher.eval();
        var inputs = data.Train.Features;
        var mask = student.TokenMask(inputs);
        Assert.Equal(ScalarType.Bool, mask.dtype);
        Assert.Equal(lengths.SelectMany(length => Enumerable.Range(0, 12).Select(l => l < length)), mask.reshape(-1).data<bool>().ToArray());

        var map = TextMap(student, teacher); // embedding -> embedding, blocks.0 -> blocks.2
        Assert.Equal("embedding -> embedding, blocks.0 -> blocks.2", map.ToString());
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.SquaredL2, HiddenNormalization.None);
        var sCapture = map.StudentCapture();
        var tCapture = map.TeacherCapture();
        float Loss()
        {
            using var noGrad = no_grad();
            var logits = LayerCapture.Forward(student, inputs, sCapture);
            LayerCapture.Forward(teacher, inputs, tCapture);
            return matcher.Loss(sCapture, tCapture, logits).item<float>();
        }
        float before = Loss();
        Assert.Equal(mask.data<bool>().ToArray(), sCapture.TokenMask!.data<bool>().ToArray());
        double sliced;
        using (no_grad()) sliced = SlicedLoss(matcher, sCapture, tCapture, lengths, HiddenDistance.SquaredL2, HiddenNormalization.None);
        Assert.Equal(sliced, before, 4);
        var embeddingStateBefore = sCapture[0].clone();

        // The padding id's embedding row (zero at construction) gets junk in both models: padding states change, the loss does not.
        using (no_grad())
        {
            foreach (var model in new nn.Module[] { student, teacher })
                model.named_parameters().Single(p => p.name == "embedding.weight").parameter[0].copy_(randn(model == student ? 8 : 16) * 50);
        }
        float after = Loss();
        Assert.True(Value((sCapture[0] - embeddingStateBefore).abs().max()) > 1); // the padding positions' states changed
        Assert.Equal(before, after);
    }

    [Fact]
    public void Cached_teacher_states_give_the_live_loss_with_the_students_mask()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(9);
        var (data, lengths) = VariedLengthTokens(24, 1, 4);
        using var _ = data;
        var student = new TinyTextStudent();
        var teacher = new TinyTextTeacher();
        teacher.eval();
        var map = TextMap(student, teacher);
        using var matcher = new HiddenStateMatcher(map, HiddenDistance.Cosine, HiddenNormalization.LayerNorm);
        using var cache = TeacherOutputCache.InMemory(teacher, map, data.Train, 8, CPU);

        var indices = tensor(new long[] { 3, 0, 17, 12, 5, 22 });
        var inputs = data.Train.Features.index_select(0, indices);
        var batchLengths = indices.data<long>().ToArray().Select(i => lengths[i]).ToArray();
        var sCapture = map.StudentCapture();
        var live = map.TeacherCapture();
        var cached = map.TeacherCapture();
        var logits = LayerCapture.Forward(student, inputs, sCapture);
        using (no_grad()) LayerCapture.Forward(teacher, inputs, live);
        cache.TakeStates(indices, cached);
        Assert.NotNull(live.TokenMask);
        Assert.Null(cached.TokenMask); // cached states carry no mask: the student's is used
        float liveLoss = matcher.Loss(sCapture, live, logits).item<float>();
        float cachedLoss = matcher.Loss(sCapture, cached, logits).item<float>();
        Assert.Equal(liveLoss, cachedLoss, 6);
        Assert.Equal(SlicedLoss(matcher, sCapture, cached, batchLengths, HiddenDistance.Cosine, HiddenNormalization.LayerNorm), cachedLoss, 5);
    }

    [Fact]
    public void Generated_text_matching_on_varied_lengths_lowers_the_masked_loss()
    {
        var (data, _) = VariedLengthTokens(256, 64, 11);
        using var splits = data;
        using var result = TextMatchingKd.Run(splits);
        Assert.True(result.Epochs[^1].HiddenStates < result.Epochs[0].HiddenStates,
            $"HiddenStates per epoch: {string.Join(", ", result.Epochs.Select(e => e.HiddenStates))}");

        // The trained matcher's loss on test samples is the loss of their real tokens alone.
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var inputs = splits.Test.Features.narrow(0, 0, 16);
        var lengths = inputs.ne(0).sum(1).data<long>().ToArray().Select(l => (int)l).ToArray();
        Assert.Contains(lengths, l => l < 6);
        result.Student.eval();
        result.Teacher.eval();
        var sCapture = result.Matcher.Map.StudentCapture();
        var tCapture = result.Matcher.Map.TeacherCapture();
        var logits = LayerCapture.Forward(result.Student, inputs, sCapture);
        LayerCapture.Forward(result.Teacher, inputs, tCapture);
        double loss = Value(result.Matcher.Loss(sCapture, tCapture, logits));
        Assert.Equal(SlicedLoss(result.Matcher, sCapture, tCapture, lengths, HiddenDistance.SquaredL2, HiddenNormalization.L2), loss, 5);
    }

    [Fact]
    public void Angle_analysis_skips_padding()
    {
        using var scope = NewDisposeScope();
        // The hand-computed case of LayeredModelsTests as sample 1 ([1, 2, 2]), plus a padding token with junk in sample 2.
        var s = tensor(new float[] { 0, 0, 1, 1, 5, -5, 2, 2 }).reshape(2, 2, 2);
        var t = new[]
        {
            tensor(new float[] { 1, 0, 2, 1, 7, 1, 3, 3 }).reshape(2, 2, 2),
            tensor(new float[] { 0, 1, 1, 2, 0, 4, 9, 9 }).reshape(2, 2, 2),
            tensor(new float[] { 1, 1, 0, 0, -2, 2, 1, 0 }).reshape(2, 2, 2),
        };
        var mask = tensor(new[] { true, true, false, false }).reshape(2, 2);
        double r = 1 / Math.Sqrt(2);
        var expected = new[] { 0, r, r, 0, -r, -r };
        var cosines = AngleAnalysis.Cosines(s, t, mask);
        Assert.Equal(expected.Length, cosines.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], cosines[i], 6);
        Assert.Equal(12, AngleAnalysis.Cosines(s, t).Length); // without the mask the padding rows count

        // Measure reads the models' mask: one value per real token and teacher pair (3 blocks: 3 pairs).
        torch.manual_seed(10);
        var (data, lengths) = VariedLengthTokens(8, 1, 5);
        using var _ = data;
        var distribution = AngleAnalysis.Measure("untrained", new TinyTextTeacher(), new TinyTextTeacher(), data.Train.Features, studentState: 1);
        Assert.Equal(lengths.Sum() * 3, distribution.Cosines.Count);
    }

    [Theory]
    [InlineData(float.NaN)]
    [InlineData(1e20f)]
    [InlineData(float.PositiveInfinity)]
    public void Non_finite_or_huge_padding_changes_neither_the_loss_nor_its_gradient(float junk)
    {
        var mask = tensor(new[] { true, true, true, true, false, false }).reshape(2, 3);
        var padding = mask.logical_not().unsqueeze(-1).expand(2, 3, 2);
        foreach (var distance in Distances)
        {
            foreach (var normalization in Normalizations)
            {
                var (cleanLoss, cleanGradient) = LossAndGradient(Student().masked_fill(padding, 0), Teacher().masked_fill(padding, 0), mask, distance, normalization);
                var (loss, gradient) = LossAndGradient(Student().masked_fill(padding, junk), Teacher().masked_fill(padding, junk), mask, distance, normalization);
                Assert.Equal(cleanLoss, loss, 12);
                Assert.True(gradient.isfinite().all().item<bool>(), $"{distance}/{normalization}: non-finite gradient");
                Assert.True(gradient.eq(cleanGradient).all().item<bool>(), $"{distance}/{normalization}: the gradient changed with the padding");
                Assert.True(gradient.masked_select(padding).eq(0).all().item<bool>()); // nothing flows into padded positions
            }
        }
    }

    private static (double Loss, Tensor Gradient) LossAndGradient(Tensor student, Tensor teacher, Tensor mask, HiddenDistance distance,
        HiddenNormalization normalization)
    {
        var leaf = student.detach().requires_grad_(true);
        var loss = HiddenStateDistance.Compute(leaf, teacher, distance, normalization, mask);
        loss.backward();
        return (Value(loss), leaf.grad!.detach().clone());
    }
}
