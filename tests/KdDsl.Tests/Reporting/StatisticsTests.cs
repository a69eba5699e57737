using System;
using KdDsl.Reporting;
using Xunit;

namespace KdDsl.Tests.Reporting;

/// <summary>
/// <see cref="Statistics"/> against values worked out by hand (the arithmetic is in each test's comment), including ties,
/// where Spearman's coefficient is the Pearson correlation of average ranks and the no-ties shortcut formula is wrong.
/// </summary>
public sealed class StatisticsTests
{
    private const double Tolerance = 1e-12;

    [Fact]
    public void MeanStd_UsesTheSampleStandardDeviation()
    {
        // mean = 40 / 8 = 5; squared deviations 9, 1, 1, 1, 0, 0, 4, 16 sum to 32; 32 / (8 - 1) = 32/7.
        var (mean, std) = Statistics.MeanStd(new double[] { 2, 4, 4, 4, 5, 5, 7, 9 });
        Assert.Equal(5.0, mean, Tolerance);
        Assert.Equal(Math.Sqrt(32.0 / 7.0), std, Tolerance);
    }

    [Fact]
    public void MeanStd_OfTwoValues()
    {
        // mean 0.85; deviations ±0.05; (0.0025 + 0.0025) / 1 = 0.005.
        var (mean, std) = Statistics.MeanStd(new[] { 0.8, 0.9 });
        Assert.Equal(0.85, mean, Tolerance);
        Assert.Equal(Math.Sqrt(0.005), std, Tolerance);
    }

    [Fact]
    public void MeanStd_OfOneValueHasZeroSpread()
    {
        var (mean, std) = Statistics.MeanStd(new[] { 0.75 });
        Assert.Equal(0.75, mean);
        Assert.Equal(0.0, std);
    }

    [Fact]
    public void MeanStd_RejectsNoValues() =>
        Assert.Throws<ArgumentException>(() => Statistics.MeanStd(Array.Empty<double>()));

    [Fact]
    public void Spearman_IsOneForAnyIncreasingRelation()
    {
        // Ranks are 1..5 on both sides however non-linear y is.
        Assert.Equal(1.0, Statistics.Spearman(new double[] { 1, 2, 3, 4, 5 }, new double[] { 1, 4, 9, 16, 100 }), Tolerance);
        Assert.Equal(-1.0, Statistics.Spearman(new double[] { 1, 2, 3, 4, 5 }, new double[] { 100, 16, 9, 4, 1 }), Tolerance);
    }

    [Fact]
    public void Spearman_WithoutTiesMatchesTheTextbookFormula()
    {
        // Ranks x = 1..5, y = 3, 1, 4, 5, 2; d = -2, 1, -1, -1, 3; Σd² = 16; 1 - 6·16 / (5·24) = 0.2.
        double rho = Statistics.Spearman(new double[] { 10, 20, 30, 40, 50 }, new double[] { 0.3, 0.1, 0.4, 0.5, 0.2 });
        Assert.Equal(0.2, rho, Tolerance);
    }

    [Fact]
    public void Spearman_GivesTiesTheirAverageRank()
    {
        // x = 1, 2, 2, 3 ranks as 1, 2.5, 2.5, 4; y ranks 1, 2, 3, 4; both means 2.5.
        // Deviations x: -1.5, 0, 0, 1.5; y: -1.5, -0.5, 0.5, 1.5. cov = 4.5, Σdx² = 4.5, Σdy² = 5.
        // ρ = 4.5 / √(4.5 · 5) = √0.9 ≈ 0.94868 (the no-ties shortcut would give 1 - 6·0.5/60 = 0.95).
        double rho = Statistics.Spearman(new double[] { 1, 2, 2, 3 }, new double[] { 1, 2, 3, 4 });
        Assert.Equal(Math.Sqrt(0.9), rho, Tolerance);
        Assert.NotEqual(0.95, rho, 1e-6);
    }

    [Fact]
    public void Spearman_HandlesTiesInBothLists()
    {
        // x ranks 1.5, 1.5, 3.5, 3.5; y ranks 1, 2.5, 2.5, 4; deviations -1, -1, 1, 1 and -1.5, 0, 0, 1.5.
        // cov = 3, Σdx² = 4, Σdy² = 4.5; ρ = 3 / √18 = 1/√2.
        double rho = Statistics.Spearman(new double[] { 1, 1, 2, 2 }, new double[] { 10, 20, 20, 30 });
        Assert.Equal(1 / Math.Sqrt(2), rho, Tolerance);
    }

    [Fact]
    public void Spearman_HandlesAnUnsortedTieOfThree()
    {
        // x = 3, 1, 3, 2, 3: 1 → 1, 2 → 2, the three 3s share (3 + 4 + 5) / 3 = 4; ranks 4, 1, 4, 2, 4. y ranks 5, 1, 4, 2, 3.
        // Means 3; deviations 1, -2, 1, -1, 1 and 2, -2, 1, -1, 0; cov = 8, Σdx² = 8, Σdy² = 10; ρ = 8 / √80 = 2/√5.
        double rho = Statistics.Spearman(new double[] { 3, 1, 3, 2, 3 }, new double[] { 5, 1, 4, 2, 3 });
        Assert.Equal(2 / Math.Sqrt(5), rho, Tolerance);
    }

    [Fact]
    public void Spearman_NegativeWithATie()
    {
        // x ranks 1, 2, 3; y = 3, 3, 1 ranks 2.5, 2.5, 1; means 2; deviations -1, 0, 1 and 0.5, 0.5, -1.
        // cov = -1.5, Σdx² = 2, Σdy² = 1.5; ρ = -1.5 / √3 = -√3/2.
        double rho = Statistics.Spearman(new double[] { 1, 2, 3 }, new double[] { 3, 3, 1 });
        Assert.Equal(-Math.Sqrt(3) / 2, rho, Tolerance);
    }

    [Fact]
    public void Spearman_IsSymmetric()
    {
        double[] x = { 3, 1, 3, 2, 3 }, y = { 5, 1, 4, 2, 3 };
        Assert.Equal(Statistics.Spearman(x, y), Statistics.Spearman(y, x), Tolerance);
    }

    [Fact]
    public void Spearman_IsNaNWhenAListIsConstant()
    {
        Assert.True(double.IsNaN(Statistics.Spearman(new double[] { 1, 2, 3 }, new double[] { 7, 7, 7 })));
        Assert.True(double.IsNaN(Statistics.Spearman(new double[] { 4, 4 }, new double[] { 1, 2 })));
    }

    [Fact]
    public void Spearman_RejectsBadInput()
    {
        Assert.Throws<ArgumentException>(() => Statistics.Spearman(new double[] { 1, 2, 3 }, new double[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => Statistics.Spearman(new double[] { 1 }, new double[] { 1 }));
        Assert.Throws<ArgumentException>(() => Statistics.Spearman(new double[] { 1, double.NaN }, new double[] { 1, 2 }));
        Assert.Throws<ArgumentException>(() => Statistics.Spearman(new double[] { 1, 2 }, new double[] { double.PositiveInfinity, 2 }));
        Assert.Throws<ArgumentNullException>(() => Statistics.Spearman(null!, new double[] { 1, 2 }));
    }
}
