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
}
