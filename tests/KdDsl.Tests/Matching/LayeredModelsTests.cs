using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using KdDsl.Data;
using KdDsl.Matching;
using KdDsl.Models;
using KdDsl.Training;
using TorchSharp;
using Xunit;
using static TorchSharp.torch;

namespace KdDsl.Tests.Matching;

/// <summary>The library's layered models, block-by-block capture, and the angle analysis against hand-computed cosines.</summary>
public sealed class LayeredModelsTests
{
    /// <summary>Token data: 12 ids in 2..15 with trailing padding; label 1 when token 3 occurs more often than token 4.</summary>
    public static DatasetSplits TokenData(int train, int test, int seed)
    {
        var random = new Random(seed);
        LabeledDataset Make(int count, string name)
        {
            var features = new float[count * 12];
            var labels = new long[count];
            for (int n = 0; n < count; n++)
            {
                int length = random.Next(6, 13), threes = 0, fours = 0;
                for (int i = 0; i < length; i++)
                {
                    int id = random.Next(2, 16);
                    features[n * 12 + i] = id;
                    threes += id == 3 ? 1 : 0;
                    fours += id == 4 ? 1 : 0;
                }
                labels[n] = threes > fours ? 1 : 0;
            }
            return new LabeledDataset(name, tensor(features).reshape(count, 12), tensor(labels), 2);
        }
        return new DatasetSplits(Make(train, "tokens-train"), Make(test, "tokens-test"));
    }

    [Fact]
    public void Block_by_block_forward_equals_forward_and_keeps_only_the_states_asked_for()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(1);
        var mlp = new LayeredMlp(64, 10, 3, 16);
        var input = randn(5, 64);
        var states = new CapturedStates(4, new[] { 0, 2 });
        var logits = LayerCapture.Forward(mlp, input, states);
        Assert.Equal(mlp.call(input).data<float>().ToArray(), logits.data<float>().ToArray());
        Assert.Equal(new long[] { 5, 16 }, states[2].shape);
        Assert.Throws<InvalidOperationException>(() => states[1]);
        // State 0 is ReLU(embedding): non-negative.
        Assert.True(states[0].min().item<float>() >= 0);

        var encoder = new TransformerEncoderClassifier(16, 12, 2, 2, 8, 2, 16);
        encoder.eval();
        var data = TokenData(4, 1, 3);
        var (all, encoderLogits) = LayerCapture.AllStates(encoder, data.Train.Features);
        Assert.Equal(3, all.Length);
        Assert.Equal(new long[] { 4, 12, 8 }, all[2].shape);
        Assert.Equal(encoder.call(data.Train.Features).data<float>().ToArray(), encoderLogits.data<float>().ToArray());
    }

    [Fact]
    public void Encoder_ignores_padding()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(2);
        var encoder = new TransformerEncoderClassifier(16, 12, 2, 2, 8, 2, 16);
        encoder.eval();
        var tokens = tensor(new float[] { 5, 6, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(1, 12);
        var shorter = tensor(new float[] { 5, 6, 7, 0, 0, 0 }).reshape(1, 6);
        var a = encoder.call(tokens).data<float>().ToArray();
        var b = encoder.call(shorter).data<float>().ToArray();
        for (int i = 0; i < a.Length; i++) Assert.Equal(a[i], b[i], 4);
        var other = tensor(new float[] { 5, 6, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0 }).reshape(1, 12);
        Assert.NotEqual(a, encoder.call(other).data<float>().ToArray());
    }

    [Fact]
    public void Encoder_passes_the_run_checks_on_token_data()
    {
        using var data = TokenData(8, 4, 1);
        using var encoder = new TransformerEncoderClassifier(16, 12, 2, 1, 8, 2, 16);
        ModelChecks.EnsureFits(encoder, "student", "TransformerEncoderClassifier", data.Train); // no Linear mistaken for the input layer
    }

    [Fact]
    public void Angle_cosines_by_hand()
    {
        using var scope = NewDisposeScope();
        // Token 1: S = [0,0]; T1 = [1,0], T2 = [0,1], T3 = [1,1]: cos(12) = 0, cos(13) = cos(23) = 1/sqrt2.
        // Token 2: S = [1,1]; T1 = [2,1], T2 = [1,2], T3 = [0,0]: differences [1,0], [0,1], [-1,-1]: 0, -1/sqrt2, -1/sqrt2.
        var s = tensor(new float[] { 0, 0, 1, 1 }).reshape(2, 2);
        var t = new[]
        {
            tensor(new float[] { 1, 0, 2, 1 }).reshape(2, 2),
            tensor(new float[] { 0, 1, 1, 2 }).reshape(2, 2),
            tensor(new float[] { 1, 1, 0, 0 }).reshape(2, 2),
        };
        double r = 1 / Math.Sqrt(2);
        var expected = new[] { 0, r, r, 0, -r, -r };
        var cosines = AngleAnalysis.Cosines(s, t);
        Assert.Equal(expected.Length, cosines.Length);
        for (int i = 0; i < expected.Length; i++) Assert.Equal(expected[i], cosines[i], 6);

        var distribution = new AngleDistribution("hand", 1, new[] { 1, 2, 3 }, cosines);
        Assert.Equal(0, distribution.Mean, 9);
        Assert.Equal(2 / 6.0, distribution.FractionAcute, 9);
        var histogram = distribution.Histogram(4); // [-1,-0.5) [-0.5,0) [0,0.5) [0.5,1]
        Assert.Equal(new[] { 2 / 6.0, 0, 2 / 6.0, 2 / 6.0 }, histogram);
    }

    [Fact]
    public void Angles_of_L2_normalised_states_match_plain_loops()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(6);
        var student = new LayeredMlp(8, 3, 2, 5);
        var teacher = new LayeredMlp(8, 3, 3, 5);
        var inputs = randn(4, 8);
        var measured = AngleAnalysis.Measure("l2", student, teacher, inputs, studentState: 1, normalization: HiddenNormalization.L2);

        // Reference: the same states, normalised and compared with plain double loops.
        var (sStates, _) = LayerCapture.AllStates(student, inputs);
        var (tStates, _) = LayerCapture.AllStates(teacher, inputs);
        double[][] Rows(Tensor state) => Enumerable.Range(0, 4).Select(r =>
        {
            var row = state[r].detach().to(ScalarType.Float64).data<double>().ToArray();
            double norm = Math.Sqrt(row.Sum(x => x * x));
            return row.Select(x => x / norm).ToArray();
        }).ToArray();
        var s = Rows(sStates[1]);
        var t = new[] { 1, 2, 3 }.Select(i => Rows(tStates[i])).ToArray();
        var expected = new List<double>();
        for (int row = 0; row < 4; row++)
        {
            for (int i = 0; i < 3; i++)
            {
                for (int k = i + 1; k < 3; k++)
                {
                    double dot = 0, ni = 0, nk = 0;
                    for (int c = 0; c < 5; c++)
                    {
                        double a = t[i][row][c] - s[row][c], b = t[k][row][c] - s[row][c];
                        dot += a * b;
                        ni += a * a;
                        nk += b * b;
                    }
                    expected.Add(dot / Math.Sqrt(ni * nk));
                }
            }
        }
        Assert.Equal(expected.Count, measured.Cosines.Count);
        for (int i = 0; i < expected.Count; i++) Assert.Equal(expected[i], measured.Cosines[i], 5);
        // Raw states give other angles.
        var raw = AngleAnalysis.Measure("raw", student, teacher, inputs, studentState: 1);
        Assert.NotEqual(raw.Mean, measured.Mean, 3);
    }

    [Fact]
    public void Angle_distribution_is_written_as_csv_json_and_png()
    {
        using var scope = NewDisposeScope();
        torch.manual_seed(4);
        var student = new LayeredMlp(8, 3, 2, 6);
        var teacher = new LayeredMlp(8, 3, 4, 6);
        var distribution = AngleAnalysis.Measure("untrained", student, teacher, randn(10, 8), studentState: 1);
        Assert.Equal(10 * 6, distribution.Cosines.Count); // 10 rows, C(4, 2) teacher pairs
        Assert.All(distribution.Cosines, c => Assert.InRange(c, -1 - 1e-9, 1 + 1e-9));
        string folder = Path.Combine(Path.GetTempPath(), "kddsl-angles-" + Guid.NewGuid().ToString("N"));
        try
        {
            distribution.SaveCsv(Path.Combine(folder, "a.csv"));
            distribution.SaveJson(Path.Combine(folder, "a.json"));
            AngleAnalysis.SaveHistogram(new[] { distribution }, Path.Combine(folder, "a.png"), "test");
            Assert.Equal(61, File.ReadAllLines(Path.Combine(folder, "a.csv")).Length);
            Assert.Contains("\"fractionAcute\"", File.ReadAllText(Path.Combine(folder, "a.json")));
            var png = File.ReadAllBytes(Path.Combine(folder, "a.png"));
            Assert.Equal(new byte[] { 0x89, 0x50, 0x4E, 0x47 }, png.Take(4));
        }
        finally
        {
            if (Directory.Exists(folder)) Directory.Delete(folder, recursive: true);
        }
    }
}
