using System;
using TorchSharp;

namespace KdDsl.Data;

/// <summary>
/// Synthetic classification with a controllable class correlation, in the spirit of Tang et al.'s synthetic study
/// (<c>docs/kd-methods.md</c>, section 3), where KD's gain over label smoothing grows with how related the classes are.
/// </summary>
/// <remarks>
/// <para>
/// Construction, all from one <see cref="Random"/> seeded with <c>seed</c> (torch's global RNG is never used), in this order:
/// </para>
/// <list type="number">
/// <item>An orthonormal set of <c>groups + classes</c> vectors in R^d: that many standard Gaussian vectors (Box–Muller), orthonormalised by
/// modified Gram–Schmidt (applied twice for accuracy). The first <c>groups</c> are the group vectors <c>u_g</c>, the next <c>classes</c> the
/// class vectors <c>u_k</c>; hence <c>d &gt;= classes + groups</c>.</item>
/// <item>Classes are assigned to groups in contiguous, near-equal blocks: <c>group(k) = floor(k * groups / classes)</c> (see
/// <see cref="GroupOf"/>). Class weight <c>w_k = tau * u_group(k) + sqrt(1 - tau^2) * u_k</c>: every <c>w_k</c> has unit norm,
/// <c>w_k . w_l = tau^2</c> for two classes of one group and 0 across groups.</item>
/// <item><c>sinusoids</c> pairs <c>(a_j, b_j)</c>: <c>a_j ~ N(0, 1)</c>, <c>b_j ~ U[0, 2 pi)</c>, drawn once.</item>
/// <item>Training inputs, then test inputs, <c>x ~ N(0, I_d)</c>, rounded to float32; the label is
/// <c>argmax_k (s_k + sum_j sin(a_j * s_k + b_j))</c> with <c>s_k = w_k . x</c>, evaluated in float64 on the rounded inputs (ties go to
/// the lowest class index, so with <c>tau = 1</c> only the first class of each group occurs).</item>
/// </list>
/// </remarks>
public static class SyntheticClassification
{
    /// <summary>
    /// Generates a training and a test split (features float32 [N, d], labels int64 [N]), fully determined by the arguments.
    /// </summary>
    /// <param name="trainSamples">Training samples, &gt;= 1.</param>
    /// <param name="testSamples">Test samples, &gt;= 1.</param>
    /// <param name="features">Input width d, &gt;= classes + groups.</param>
    /// <param name="classes">Number of classes K, &gt;= 2.</param>
    /// <param name="groups">Number of class groups, in [1, classes].</param>
    /// <param name="classCorrelation">tau in [0, 1]: 0 makes all class weights orthogonal, 1 makes classes of a group identical.</param>
    /// <param name="seed">Seed of the <see cref="Random"/> that draws everything.</param>
    /// <param name="sinusoids">Number of sinusoidal terms in the labelling function, &gt;= 0 (0: a linear argmax).</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside the ranges above.</exception>
    public static DatasetSplits Generate(
        int trainSamples, int testSamples, int features, int classes, int groups, double classCorrelation, int seed, int sinusoids = 4)
    {
        if (trainSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(trainSamples), trainSamples, "At least one training sample is needed.");
        if (testSamples < 1)
            throw new ArgumentOutOfRangeException(nameof(testSamples), testSamples, "At least one test sample is needed.");
        if (sinusoids < 0)
            throw new ArgumentOutOfRangeException(nameof(sinusoids), sinusoids, "The number of sinusoids must be 0 or positive.");
        CheckShape(features, classes, groups, classCorrelation);

        var random = new Random(seed);
        var gaussian = new GaussianSource(random);
        double[,] weights = DrawClassWeights(gaussian, features, classes, groups, classCorrelation);
        var frequencies = new double[sinusoids];
        var phases = new double[sinusoids];
        for (int j = 0; j < sinusoids; j++)
        {
            frequencies[j] = gaussian.Next();
            phases[j] = 2 * Math.PI * random.NextDouble();
        }

        string description = $"d={features}, K={classes}, groups={groups}, tau={classCorrelation}, sinusoids={sinusoids}, seed={seed}";
        var train = Draw($"synthetic train ({description})", trainSamples, gaussian, weights, frequencies, phases);
        var test = Draw($"synthetic test ({description})", testSamples, gaussian, weights, frequencies, phases);
        return new DatasetSplits(train, test).Validate();
    }

    /// <summary>
    /// The class weight matrix w [classes, features] (row k = w_k) that <see cref="Generate"/> uses for the same
    /// <paramref name="features"/>, <paramref name="classes"/>, <paramref name="groups"/>, <paramref name="classCorrelation"/> and
    /// <paramref name="seed"/> (the weights are the first draws of the seeded generator, so they do not depend on the sample counts).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">An argument outside the ranges <see cref="Generate"/> accepts.</exception>
    public static double[,] ClassWeights(int features, int classes, int groups, double classCorrelation, int seed)
    {
        CheckShape(features, classes, groups, classCorrelation);
        return DrawClassWeights(new GaussianSource(new Random(seed)), features, classes, groups, classCorrelation);
    }

    /// <summary>The group of class <paramref name="classIndex"/>: contiguous blocks, <c>floor(classIndex * groups / classes)</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">classes &lt; 1, groups outside [1, classes], or classIndex outside [0, classes).</exception>
    public static int GroupOf(int classIndex, int classes, int groups)
    {
        if (classes < 1) throw new ArgumentOutOfRangeException(nameof(classes), classes, "The number of classes must be positive.");
        if (groups < 1 || groups > classes)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"The number of groups must lie in [1, classes] = [1, {classes}].");
        if (classIndex < 0 || classIndex >= classes)
            throw new ArgumentOutOfRangeException(nameof(classIndex), classIndex, $"The class index must lie in [0, {classes - 1}].");
        return (int)((long)classIndex * groups / classes);
    }

    private static void CheckShape(int features, int classes, int groups, double classCorrelation)
    {
        if (classes < 2)
            throw new ArgumentOutOfRangeException(nameof(classes), classes, "At least 2 classes are needed.");
        if (groups < 1 || groups > classes)
            throw new ArgumentOutOfRangeException(nameof(groups), groups, $"The number of groups must lie in [1, classes] = [1, {classes}].");
        if (features < classes + groups)
            throw new ArgumentOutOfRangeException(nameof(features), features,
                $"The input width must be at least classes + groups = {classes + groups} to hold that many orthonormal basis vectors.");
        if (!(classCorrelation >= 0 && classCorrelation <= 1))
            throw new ArgumentOutOfRangeException(nameof(classCorrelation), classCorrelation, "The class correlation tau must lie in [0, 1].");
    }

    private static double[,] DrawClassWeights(GaussianSource gaussian, int features, int classes, int groups, double tau)
    {
        int count = groups + classes;
        var basis = new double[count][];
        for (int i = 0; i < count; i++)
        {
            basis[i] = new double[features];
            for (int f = 0; f < features; f++) basis[i][f] = gaussian.Next();
        }
        for (int i = 0; i < count; i++)
        {
            for (int pass = 0; pass < 2; pass++)
                for (int j = 0; j < i; j++)
                {
                    double projection = Dot(basis[i], basis[j]);
                    for (int f = 0; f < features; f++) basis[i][f] -= projection * basis[j][f];
                }
            double norm = Math.Sqrt(Dot(basis[i], basis[i]));
            if (!(norm > 1e-10))
                throw new InvalidOperationException("The random basis vectors are numerically dependent; try another seed.");
            for (int f = 0; f < features; f++) basis[i][f] /= norm;
        }

        double own = Math.Sqrt(1 - tau * tau);
        var weights = new double[classes, features];
        for (int k = 0; k < classes; k++)
        {
            double[] group = basis[GroupOf(k, classes, groups)], self = basis[groups + k];
            for (int f = 0; f < features; f++) weights[k, f] = tau * group[f] + own * self[f];
        }
        return weights;
    }

    private static LabeledDataset Draw(
        string name, int samples, GaussianSource gaussian, double[,] weights, double[] frequencies, double[] phases)
    {
        int classes = weights.GetLength(0), features = weights.GetLength(1);
        var x = new float[(long)samples * features];
        var labels = new long[samples];
        var row = new double[features];
        for (int n = 0; n < samples; n++)
        {
            for (int f = 0; f < features; f++)
            {
                float value = (float)gaussian.Next();
                x[(long)n * features + f] = value;
                row[f] = value;
            }
            int best = 0;
            double bestScore = double.NegativeInfinity;
            for (int k = 0; k < classes; k++)
            {
                double s = 0;
                for (int f = 0; f < features; f++) s += weights[k, f] * row[f];
                double score = s;
                for (int j = 0; j < frequencies.Length; j++) score += Math.Sin(frequencies[j] * s + phases[j]);
                if (score > bestScore)
                {
                    bestScore = score;
                    best = k;
                }
            }
            labels[n] = best;
        }
        return new LabeledDataset(name, torch.tensor(x, new long[] { samples, features }), torch.tensor(labels), classes);
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++) sum += a[i] * b[i];
        return sum;
    }

    /// <summary>Standard normal draws by the Box–Muller transform, both values of each pair used in turn.</summary>
    private sealed class GaussianSource(Random random)
    {
        private double? _spare;

        public double Next()
        {
            if (_spare is double spare)
            {
                _spare = null;
                return spare;
            }
            double u1 = 1 - random.NextDouble(); // (0, 1]: log(u1) is finite
            double u2 = random.NextDouble();
            double radius = Math.Sqrt(-2 * Math.Log(u1));
            _spare = radius * Math.Sin(2 * Math.PI * u2);
            return radius * Math.Cos(2 * Math.PI * u2);
        }
    }
}
