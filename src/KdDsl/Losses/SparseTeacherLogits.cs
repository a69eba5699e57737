using System;
using System.Collections.Generic;
using System.Linq;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Losses;

/// <summary>
/// A batch of the teacher's outputs as the top-k teacher store keeps them (<c>TeacherOutputCaching.SparseTopK</c>): per sample the
/// k largest logits and their class indices, and the log-normaliser of the full softmax, <c>log sum_c exp(z_c / T)</c> over all K
/// classes, at each temperature the store was built for. Together they give the teacher's exact probabilities of the top k at
/// those temperatures, <c>p_i = exp(z_i / T - LogNormalizer(T))</c>, without the other K - k logits.
/// </summary>
/// <remarks>
/// The logits are the teacher's (divided by the calibration temperature T* when the teacher is calibrated), float32, in
/// descending order per row. The normalisers are float64. No tensor here needs gradients. In the distillation loop the tensors
/// belong to the step's dispose scope; built by hand (<see cref="FromDense"/>), dispose the object.
/// </remarks>
public sealed class SparseTeacherLogits : IDisposable
{
    private readonly double[] temperatures;

    /// <summary>Wraps the tensors of one batch (they are checked, not copied).</summary>
    /// <param name="indices">Class indices of the top k, int64 [B, k], each in [0, K).</param>
    /// <param name="logits">The teacher's logits at those indices, [B, k].</param>
    /// <param name="classCount">K, the number of classes of the full softmax.</param>
    /// <param name="temperatures">The temperatures of the normaliser columns, each &gt; 0.</param>
    /// <param name="logNormalizers">[B, t], column j = <c>logsumexp(z / temperatures[j])</c> over all K classes.</param>
    /// <exception cref="ArgumentException">Shapes or dtypes that do not fit together, or k outside [1, K].</exception>
    public SparseTeacherLogits(Tensor indices, Tensor logits, int classCount, IReadOnlyList<double> temperatures, Tensor logNormalizers)
    {
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(temperatures);
        ArgumentNullException.ThrowIfNull(logNormalizers);
        if (indices.dim() != 2 || indices.dtype != ScalarType.Int64)
            throw new ArgumentException($"The indices must be int64 [B, k], got {indices.dtype} [{string.Join(", ", indices.shape)}].", nameof(indices));
        if (!logits.shape.AsSpan().SequenceEqual(indices.shape))
            throw new ArgumentException($"The logits have shape [{string.Join(", ", logits.shape)}] but the indices [{string.Join(", ", indices.shape)}]; they must match.", nameof(logits));
        if (indices.shape[1] < 1 || indices.shape[1] > classCount)
            throw new ArgumentException($"k = {indices.shape[1]} must lie in [1, K] = [1, {classCount}].", nameof(indices));
        if (temperatures.Any(t => !(t > 0) || double.IsInfinity(t)))
            throw new ArgumentException("Every normaliser temperature must be > 0 and finite.", nameof(temperatures));
        if (logNormalizers.dim() != 2 || logNormalizers.shape[0] != indices.shape[0] || logNormalizers.shape[1] != temperatures.Count)
            throw new ArgumentException(
                $"The log-normalisers must be [B, t] = [{indices.shape[0]}, {temperatures.Count}], got [{string.Join(", ", logNormalizers.shape)}].",
                nameof(logNormalizers));
        Indices = indices;
        Logits = logits;
        ClassCount = classCount;
        this.temperatures = temperatures.ToArray();
        LogNormalizers = logNormalizers;
    }

    /// <summary>Class indices of each sample's top k, int64 [B, k].</summary>
    public Tensor Indices { get; }

    /// <summary>The teacher's logits at <see cref="Indices"/>, [B, k], largest first.</summary>
    public Tensor Logits { get; }

    /// <summary>K, the number of classes of the full softmax.</summary>
    public int ClassCount { get; }

    /// <summary>k, the number of logits kept per sample.</summary>
    public int TopK => checked((int)Indices.shape[1]);

    /// <summary>The batch size B.</summary>
    public long Count => Indices.shape[0];

    /// <summary>The temperatures the normalisers were computed at, in column order.</summary>
    public IReadOnlyList<double> Temperatures => temperatures;

    /// <summary>[B, t] float64: column j is <c>logsumexp(z / Temperatures[j])</c> over all K classes.</summary>
    public Tensor LogNormalizers { get; }

    /// <summary>Whether the normaliser at <paramref name="temperature"/> is kept.</summary>
    public bool HasTemperature(double temperature) => Column(temperature) >= 0;

    /// <summary>
    /// The log-normaliser of the full tempered softmax, <c>logsumexp(z / T)</c> over all K classes, float64 [B]. Exact only at a
    /// temperature the store was built for: from the top k alone it cannot be recovered at another one.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">No normaliser kept at <paramref name="temperature"/>.</exception>
    public Tensor LogNormalizer(double temperature)
    {
        int column = Column(temperature);
        if (column < 0)
            throw new ArgumentOutOfRangeException(nameof(temperature), temperature,
                $"The top-k teacher store keeps the normaliser at T = {string.Join(", ", temperatures)} only; the probabilities at " +
                $"T = {temperature} cannot be recovered from the top {TopK} logits. Build the store for this temperature.");
        return LogNormalizers.select(1, column);
    }

    /// <summary>
    /// The top k of dense logits [B, K] with their normalisers at <paramref name="temperatures"/>: what the store would keep for them
    /// (for tests and for use by hand).
    /// </summary>
    public static SparseTeacherLogits FromDense(Tensor logits, int k, IReadOnlyList<double> temperatures)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(temperatures);
        if (logits.dim() != 2) throw new ArgumentException($"Expected logits [B, K], got [{string.Join(", ", logits.shape)}].", nameof(logits));
        int classes = checked((int)logits.shape[1]);
        if (k < 1 || k > classes) throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie in [1, K] = [1, {classes}].");
        using var noGrad = no_grad();
        var dense = logits.detach().to_type(ScalarType.Float32);
        var (values, indices) = dense.topk(k, 1);
        var normalizers = Normalizers(dense, temperatures);
        if (!ReferenceEquals(dense, logits)) dense.Dispose();
        return new SparseTeacherLogits(indices, values, classes, temperatures, normalizers);
    }

    /// <summary><c>logsumexp(z / T_j)</c> per row of <paramref name="logits"/> [B, K], computed in float64: [B, t].</summary>
    internal static Tensor Normalizers(Tensor logits, IReadOnlyList<double> temperatures)
    {
        using var scope = NewDisposeScope();
        var wide = logits.to_type(ScalarType.Float64);
        var columns = temperatures.Select(t => (t == 1 ? wide : wide / t).logsumexp(1)).ToArray();
        var result = columns.Length == 0 ? zeros(new long[] { logits.shape[0], 0 }, ScalarType.Float64, logits.device) : stack(columns, 1);
        return result.MoveToOuterDisposeScope();
    }

    private int Column(double temperature)
    {
        for (int i = 0; i < temperatures.Length; i++)
        {
            if (temperatures[i] == temperature || Math.Abs(temperatures[i] - temperature) <= 1e-12 * Math.Abs(temperature)) return i;
        }
        return -1;
    }

    /// <inheritdoc />
    public void Dispose()
    {
        Indices.Dispose();
        Logits.Dispose();
        LogNormalizers.Dispose();
    }
}
