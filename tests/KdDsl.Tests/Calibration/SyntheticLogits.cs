using System;

namespace KdDsl.Tests.Calibration;

/// <summary>
/// A seeded synthetic classification problem whose true temperature is known: "true" logits z ~ N(0, s²) per class, labels
/// drawn from softmax(z), and the model's logits presented as z · T0, so the NLL-optimal temperature is T0.
/// </summary>
internal static class SyntheticLogits
{
    /// <summary>Returns row-major float32 logits z·T0 ([count, classes]) and labels sampled from softmax(z).</summary>
    public static (float[] Logits, long[] Labels) Generate(int count, int classes, double scale, double trueTemperature, int seed)
    {
        var random = new Random(seed);
        var logits = new float[count * classes];
        var labels = new long[count];
        var z = new double[classes];
        for (int n = 0; n < count; n++)
        {
            double max = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                // The logits handed to the fit are float32; sample the labels from exactly those values (divided by T0).
                float presented = (float)(Gaussian(random) * scale * trueTemperature);
                logits[n * classes + k] = presented;
                z[k] = presented / trueTemperature;
                max = Math.Max(max, z[k]);
            }
            double sum = 0;
            for (int k = 0; k < classes; k++) sum += z[k] = Math.Exp(z[k] - max);
            double u = random.NextDouble() * sum, cumulative = 0;
            int label = classes - 1;
            for (int k = 0; k < classes; k++)
            {
                cumulative += z[k];
                if (u < cumulative) { label = k; break; }
            }
            labels[n] = label;
        }
        return (logits, labels);
    }

    /// <summary>Standard normal deviate (Box-Muller).</summary>
    private static double Gaussian(Random random)
    {
        double u1 = 1.0 - random.NextDouble(); // (0, 1]
        double u2 = random.NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }
}
