using System;
using TorchSharp;
using static TorchSharp.torch;

namespace KdDsl.Losses;

/// <summary>
/// The loss terms that read the top-k teacher store (<c>TeacherOutputCaching.SparseTopK</c>, <see cref="SparseTeacherLogits"/>)
/// instead of the teacher's dense logits. They never build a dense [B, K] teacher distribution: the teacher side is [B, k], and
/// the student's log-probabilities are gathered at the stored indices. See <c>docs/sparse-teacher-store.md</c>.
/// </summary>
public static class SparseDistillationLosses
{
    /// <summary>
    /// Hinton's KD term against the top-k teacher, <c>T^2 * (1/N) * sum_n KL(rho_n || softmax(z_s/T))</c>, where rho_n is the teacher's
    /// softmax at T restricted to the stored top k as <paramref name="remainder"/> says. Identical to
    /// <c>KlDivergence(studentLogits, teacher, temperature, temperature, KlReduction.BatchMean, true, remainder)</c>.
    /// </summary>
    public static Tensor KlDivergence(Tensor studentLogits, SparseTeacherLogits teacher, double temperature, SparseRemainder remainder) =>
        KlDivergence(studentLogits, teacher, temperature, temperature, KlReduction.BatchMean, scaleByTemperatureSquared: true, remainder);

    /// <summary>
    /// <c>[T_t^2] * KL(rho || softmax(z_s/T_s))</c> reduced over the batch, where rho is the teacher's distribution at T_t as far as the
    /// top-k store gives it: with <see cref="SparseRemainder.Renormalize"/> the top-k probabilities renormalised to sum to 1 (the other
    /// classes 0), with <see cref="SparseRemainder.Spread"/> the top-k probabilities as they are (from the stored full normaliser at
    /// T_t) and the remaining mass <c>r = 1 - sum(top k)</c> spread uniformly over the other K - k classes. When the store keeps every
    /// class (k = K) both are the dense <see cref="DistillationLosses.KlDivergence(Tensor, Tensor, double, double, KlReduction, bool, KlPrecision)"/>.
    /// </summary>
    /// <remarks>
    /// Per sample, with S the top-k set, p_i the teacher's probabilities on S and q = softmax(z_s/T_s):
    /// Renormalize: <c>sum_{i in S} rho_i (log rho_i - log q_i)</c>, rho = softmax over S of z_t/T_t (no normaliser needed);
    /// Spread: <c>sum_{i in S} p_i (log p_i - log q_i) + r log u - u * sum_{j not in S} log q_j</c>, u = r / (K - k), where
    /// <c>sum_{j not in S} log q_j = sum_j z_s,j/T_s - K * logsumexp(z_s/T_s) - sum_{i in S} log q_i</c> needs only row sums of the
    /// student's logits. The teacher side is [B, k]; the student's logits are read in full (its softmax needs them), but no [B, K]
    /// teacher tensor is made. Precision follows the KL term's policy (<see cref="DistillationLosses.KlUsesFloat32"/>): float32 for
    /// float32 logits up to T = 4, float64 above. Differentiable with respect to the student logits only.
    /// </remarks>
    /// <param name="studentLogits">z_s, [B, K].</param>
    /// <param name="teacher">The batch's top-k teacher logits; with <see cref="SparseRemainder.Spread"/> and k &lt; K it must keep the
    /// normaliser at <paramref name="teacherTemperature"/>.</param>
    /// <param name="teacherTemperature">T_t &gt; 0.</param>
    /// <param name="studentTemperature">T_s &gt; 0.</param>
    /// <param name="reduction">Batchmean (sum over classes, mean over samples) or the mean over all B*K elements.</param>
    /// <param name="scaleByTemperatureSquared">Multiply by <c>T_t^2</c>.</param>
    /// <param name="remainder">What the classes outside the top k get.</param>
    /// <param name="precision">Float32, float64, or the KL term's automatic policy.</param>
    /// <exception cref="ArgumentOutOfRangeException">A temperature not &gt; 0 and finite, an unknown reduction, remainder or precision, or
    /// Spread at a temperature whose normaliser the store does not keep.</exception>
    /// <exception cref="ArgumentException">Student logits that are not [B, K] for the teacher's B and K.</exception>
    public static Tensor KlDivergence(
        Tensor studentLogits, SparseTeacherLogits teacher, double teacherTemperature, double studentTemperature, KlReduction reduction,
        bool scaleByTemperatureSquared, SparseRemainder remainder, KlPrecision precision = KlPrecision.Automatic)
    {
        ArgumentNullException.ThrowIfNull(studentLogits);
        ArgumentNullException.ThrowIfNull(teacher);
        CheckTemperature(teacherTemperature, nameof(teacherTemperature));
        CheckTemperature(studentTemperature, nameof(studentTemperature));
        if (reduction is not (KlReduction.BatchMean or KlReduction.ElementwiseMean))
            throw new ArgumentOutOfRangeException(nameof(reduction), reduction, "Unknown KL reduction.");
        if (remainder is not (SparseRemainder.Renormalize or SparseRemainder.Spread))
            throw new ArgumentOutOfRangeException(nameof(remainder), remainder,
                $"Unknown remainder {(int)remainder}; expected one of {string.Join(", ", Enum.GetNames<SparseRemainder>())}.");
        if (precision is not (KlPrecision.Automatic or KlPrecision.Float32 or KlPrecision.Float64))
            throw new ArgumentOutOfRangeException(nameof(precision), precision, "Unknown KL precision.");
        if (studentLogits.dim() != 2 || studentLogits.shape[0] != teacher.Count || studentLogits.shape[1] != teacher.ClassCount)
            throw new ArgumentException(
                $"The student logits have shape [{string.Join(", ", studentLogits.shape)}] but the teacher's top-k batch is for " +
                $"[{teacher.Count}, {teacher.ClassCount}]; they must match.", nameof(studentLogits));

        int classes = teacher.ClassCount, k = teacher.TopK;
        bool spread = remainder == SparseRemainder.Spread && k < classes;
        if (spread && !teacher.HasTemperature(teacherTemperature))
            throw new ArgumentOutOfRangeException(nameof(teacherTemperature), teacherTemperature,
                $"SparseRemainder.Spread needs the full softmax's normaliser at T = {teacherTemperature}, and the top-k teacher store keeps it " +
                $"at T = {string.Join(", ", teacher.Temperatures)} only.");
        bool float32 = precision == KlPrecision.Float32 ||
                       (precision == KlPrecision.Automatic &&
                        DistillationLosses.KlUsesFloat32(studentLogits, teacher.Logits, teacherTemperature, studentTemperature));
        var dtype = float32 ? ScalarType.Float32 : ScalarType.Float64;

        // The student side, with gradients: its tempered log-softmax at the stored indices, [B, k].
        var student = studentLogits.dtype == dtype ? studentLogits : studentLogits.to_type(dtype);
        var scaled = studentTemperature == 1 ? student : student / studentTemperature;
        var logNormalizer = scaled.logsumexp(1, keepdim: true);                          // [B, 1]
        var logStudentTop = scaled.gather(1, teacher.Indices) - logNormalizer;          // [B, k]

        // The teacher side, constants, [B, k] (and [B] for the remainder).
        Tensor logTeacherTop, teacherTop, remainderTerm = null!, spreadMass = null!;
        using (no_grad())
        {
            var logits = teacher.Logits.detach().to_type(dtype);
            var tempered = teacherTemperature == 1 ? logits : logits / teacherTemperature;
            if (!spread)
            {
                // Renormalised over the top k (at k = K this is the full softmax): no stored normaliser needed.
                logTeacherTop = tempered - tempered.logsumexp(1, keepdim: true);
                teacherTop = logTeacherTop.exp();
            }
            else
            {
                logTeacherTop = tempered - teacher.LogNormalizer(teacherTemperature).to_type(dtype).unsqueeze(1);
                teacherTop = logTeacherTop.exp();
                var rest = (1.0 - teacherTop.sum(1)).clamp_min(0);                     // r, [B]
                spreadMass = rest / (classes - k);                                      // u
                // sum over the K - k other classes of u log u = r log u (0 when r = 0).
                remainderTerm = where(rest > 0, rest * spreadMass.clamp_min(float32 ? 1e-38 : 1e-300).log(), zeros_like(rest));
            }
        }

        var perSample = (teacherTop * (logTeacherTop - logStudentTop)).sum(1);          // [B]
        if (spread)
        {
            var allLogStudent = scaled.sum(1) - logNormalizer.squeeze(1) * classes;     // sum over all K of log q
            var otherLogStudent = allLogStudent - logStudentTop.sum(1);                 // sum over the K - k others
            perSample = perSample + remainderTerm - spreadMass * otherLogStudent;
        }
        double divisor = reduction == KlReduction.BatchMean ? studentLogits.shape[0] : (double)studentLogits.shape[0] * classes;
        double scale = scaleByTemperatureSquared ? teacherTemperature * teacherTemperature : 1;
        var loss = perSample.sum() * (scale / divisor);
        return loss.dtype == studentLogits.dtype ? loss : loss.to_type(studentLogits.dtype);
    }

    private static void CheckTemperature(double temperature, string name)
    {
        if (!(temperature > 0) || double.IsInfinity(temperature))
            throw new ArgumentOutOfRangeException(name, temperature, "The temperature must be > 0 and finite.");
    }
}
