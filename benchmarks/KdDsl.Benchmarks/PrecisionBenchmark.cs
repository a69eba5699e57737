using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using KdDsl.Losses;
using Spectre.Console;
using static TorchSharp.torch;

namespace KdDsl.Benchmarks;

/// <summary>
/// (e) How accurate the KL term is in float32, by temperature: the library's float32 path
/// (<c>DistillationLosses.KlDivergence(..., KlPrecision.Float32)</c>, which is what <see cref="KlPrecision.Automatic"/> runs up to
/// <see cref="DistillationLosses.Float32TemperatureLimit"/>) against a float64 reference evaluated here in plain C# doubles:
/// the loss <c>T^2 (1/N) sum_n KL(softmax(z_t/T) || softmax(z_s/T))</c> and its gradient <c>T (p_s - p_t) / N</c>.
/// Logits: teacher z_t ~ N(0, s^2) per entry, student z_s = z_t + N(0, g^2) (g small: a student close to its teacher, the
/// hardest case, since the KL is then a small difference of large log-probabilities), float32, over several seeds.
/// Reports the worst relative error of the loss and the worst max-norm relative error of the gradient, per temperature.
/// </summary>
internal static class PrecisionBenchmark
{
    public const double Tolerance = 1e-4;

    public static int Run(int draws)
    {
        double[] temperatures = { 1, 2, 3, 4, 5, 6, 8, 10, 12, 16, 20, 32, 64, 100, 1000, 10000 };
        var scenarios = new (int N, int K, double S, double G)[]
        {
            (256, 10, 3, 1), (256, 10, 3, 0.3), (256, 10, 3, 0.1), (256, 10, 10, 1), (256, 100, 3, 0.3), (256, 100, 3, 0.1),
        };
        AnsiConsole.MarkupLine($"[bold](e) KL term in float32 vs a float64 reference[/]: {draws} draws per cell; worst relative error " +
                               $"of the loss / of the gradient (max-norm). Tolerance {Tolerance:G2}; limit in use: T <= {DistillationLosses.Float32TemperatureLimit}.");
        var table = new Table().AddColumn("T");
        foreach (var c in scenarios) table.AddColumn($"N={c.N} K={c.K} s={c.S} g={c.G}");
        table.AddColumn("all within?");
        double largestPassing = 0;
        bool stillPassing = true;
        foreach (double t in temperatures)
        {
            var cells = new List<string> { t.ToString(CultureInfo.InvariantCulture) };
            bool all = true;
            foreach (var c in scenarios)
            {
                double worstLoss = 0, worstGradient = 0;
                for (int d = 0; d < draws; d++)
                {
                    var (loss, gradient) = Errors(c.N, c.K, c.S, c.G, t, seed: 1000 * d + 17);
                    worstLoss = Math.Max(worstLoss, loss);
                    worstGradient = Math.Max(worstGradient, gradient);
                }
                all &= worstLoss <= Tolerance && worstGradient <= Tolerance;
                cells.Add($"{worstLoss:E1} / {worstGradient:E1}");
            }
            cells.Add(all ? "yes" : "[red]no[/]");
            stillPassing &= all;
            if (stillPassing) largestPassing = t;
            table.AddRow(cells.ToArray());
        }
        AnsiConsole.Write(table);
        AnsiConsole.MarkupLine($"Largest measured T with every cell within {Tolerance:G2} (and every smaller T too): [bold]{largestPassing}[/].");
        return 0;
    }

    private static (double Loss, double Gradient) Errors(int n, int k, double s, double g, double t, int seed)
    {
        using var scope = NewDisposeScope();
        var generator = new Random(seed);
        var teacher = new float[n * k];
        var student = new float[n * k];
        for (int i = 0; i < teacher.Length; i++)
        {
            teacher[i] = (float)(s * Gaussian(generator));
            student[i] = (float)(teacher[i] + g * Gaussian(generator));
        }
        var studentTensor = tensor(student, new long[] { n, k }).requires_grad_(true);
        var loss = DistillationLosses.KlDivergence(studentTensor, tensor(teacher, new long[] { n, k }), t, t, KlReduction.BatchMean, true,
            KlPrecision.Float32);
        loss.backward();
        double actual = loss.item<float>();
        var gradient = studentTensor.grad!.data<float>().ToArray();

        // The reference, in doubles from the same float32 inputs.
        double expected = 0, gradientMax = 0, gradientError = 0;
        var ps = new double[k];
        var pt = new double[k];
        for (int row = 0; row < n; row++)
        {
            Softmax(student, row, k, t, ps);
            Softmax(teacher, row, k, t, pt);
            for (int c = 0; c < k; c++)
            {
                if (pt[c] > 0) expected += pt[c] * (Math.Log(pt[c]) - Math.Log(ps[c]));
                double reference = t * (ps[c] - pt[c]) / n;
                gradientMax = Math.Max(gradientMax, Math.Abs(reference));
                gradientError = Math.Max(gradientError, Math.Abs(gradient[row * k + c] - reference));
            }
        }
        expected = expected / n * t * t;
        return (Math.Abs(actual - expected) / Math.Abs(expected), gradientError / gradientMax);
    }

    private static void Softmax(float[] logits, int row, int k, double t, double[] output)
    {
        double max = double.NegativeInfinity;
        for (int c = 0; c < k; c++) max = Math.Max(max, logits[row * k + c] / t);
        double sum = 0;
        for (int c = 0; c < k; c++) sum += output[c] = Math.Exp(logits[row * k + c] / t - max);
        for (int c = 0; c < k; c++) output[c] /= sum;
    }

    private static double Gaussian(Random random) =>
        Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
}
