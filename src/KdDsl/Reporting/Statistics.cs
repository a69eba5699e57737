using System;
using System.Collections.Generic;
using System.Linq;

namespace KdDsl.Reporting;

/// <summary>Summary statistics for results repeated over seeds.</summary>
public static class Statistics
{
    /// <summary>Mean and sample standard deviation (n - 1 in the denominator; 0 for a single value).</summary>
    public static (double Mean, double StandardDeviation) MeanStd(IEnumerable<double> values)
    {
        var list = values.ToList();
        if (list.Count == 0) throw new ArgumentException("At least one value is needed.", nameof(values));
        double mean = list.Average();
        double variance = list.Count == 1 ? 0 : list.Sum(v => (v - mean) * (v - mean)) / (list.Count - 1);
        return (mean, Math.Sqrt(variance));
    }

    /// <summary>
    /// Spearman's rank correlation coefficient of the paired values <paramref name="x"/> and <paramref name="y"/>: the Pearson
    /// correlation of their ranks, in [-1, 1].
    /// </summary>
    /// <remarks>
    /// Each list is ranked on its own, from 1 for the smallest value; tied values all get the average of the ranks they span
    /// (e.g. 1, 2, 2, 3 ranks as 1, 2.5, 2.5, 4), so with ties the result is the Pearson correlation of these average ranks, not the
    /// shortcut <c>1 - 6 Σd² / (n (n² - 1))</c>, which only holds without ties. This is the definition scipy's
    /// <c>spearmanr</c> and R's <c>cor(method = "spearman")</c> use.
    /// </remarks>
    /// <param name="x">The first variable, one value per observation; finite.</param>
    /// <param name="y">The second variable, paired with <paramref name="x"/> by position; finite, the same count.</param>
    /// <returns>
    /// The coefficient; <see cref="double.NaN"/> when either list is constant (all its values tied), where the correlation is
    /// undefined.
    /// </returns>
    /// <exception cref="ArgumentNullException"><paramref name="x"/> or <paramref name="y"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The lists differ in length, hold fewer than two observations, or contain NaN or an infinity.
    /// </exception>
    public static double Spearman(IReadOnlyList<double> x, IReadOnlyList<double> y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Count != y.Count)
            throw new ArgumentException($"The lists must pair up: x has {x.Count} values, y has {y.Count}.", nameof(y));
        if (x.Count < 2)
            throw new ArgumentException($"At least two observations are needed, got {x.Count}.", nameof(x));
        var rankX = AverageRanks(x, nameof(x));
        var rankY = AverageRanks(y, nameof(y));
        return Pearson(rankX, rankY);
    }

    /// <summary>Ranks from 1 (smallest), ties sharing the average of the ranks they occupy.</summary>
    private static double[] AverageRanks(IReadOnlyList<double> values, string name)
    {
        int n = values.Count;
        for (int i = 0; i < n; i++)
        {
            if (!double.IsFinite(values[i]))
                throw new ArgumentException($"Value {values[i]} at index {i} is not finite.", name);
        }
        var order = Enumerable.Range(0, n).OrderBy(i => values[i]).ToArray();
        var ranks = new double[n];
        int start = 0;
        while (start < n)
        {
            int end = start; // the tie group is order[start..end]
            while (end + 1 < n && values[order[end + 1]] == values[order[start]]) end++;
            double rank = (start + end) / 2.0 + 1; // the mean of the 1-based ranks start+1 .. end+1
            for (int j = start; j <= end; j++) ranks[order[j]] = rank;
            start = end + 1;
        }
        return ranks;
    }

    private static double Pearson(double[] a, double[] b)
    {
        double meanA = a.Average(), meanB = b.Average();
        double covariance = 0, varianceA = 0, varianceB = 0;
        for (int i = 0; i < a.Length; i++)
        {
            double da = a[i] - meanA, db = b[i] - meanB;
            covariance += da * db;
            varianceA += da * da;
            varianceB += db * db;
        }
        if (varianceA == 0 || varianceB == 0) return double.NaN;
        // Rank correlations of exactly ±1 can come out a rounding error past the bound.
        return Math.Clamp(covariance / Math.Sqrt(varianceA * varianceB), -1.0, 1.0);
    }
}
