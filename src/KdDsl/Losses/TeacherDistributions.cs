using System;
using TorchSharp;
using static TorchSharp.torch;
using F = TorchSharp.torch.nn.functional;

namespace KdDsl.Losses;

/// <summary>
/// Target distributions rho [N, K] that replace the teacher's softmax in <c>H(rho, p_s)</c> (see
/// <see cref="DistillationLosses.SoftCrossEntropy"/>), isolating one effect of the teacher's knowledge at a time (Tang et al.,
/// "Understanding and Improving Knowledge Distillation", arXiv 2002.03532), plus Tf-KD's hand-made virtual teacher (Yuan et al.).
/// Every result is a constant: no gradient flows through it (computed under <c>no_grad</c> from detached inputs).
/// </summary>
public static class TeacherDistributions
{
    /// <summary>
    /// KD-pt (instance-specific knowledge only): keeps the teacher's probability of the true class and spreads the rest uniformly,
    /// <c>rho_c = p_t,c</c> and <c>rho_k = (1 - p_t,c)/(K-1)</c> for k != c.
    /// </summary>
    /// <param name="teacherProbabilities">p_t, [N, K], K &gt;= 2 (e.g. <c>softmax(z_t / T)</c>).</param>
    /// <param name="labels">True classes c, int64 [N].</param>
    /// <exception cref="ArgumentException">Probabilities that are not [N, K] with K &gt;= 2, or labels that are not int64 [N].</exception>
    public static Tensor Instance(Tensor teacherProbabilities, Tensor labels)
    {
        int classes = CheckDistributions(teacherProbabilities, nameof(teacherProbabilities));
        CheckLabels(labels, teacherProbabilities.shape[0], nameof(labels));
        using var noGrad = torch.no_grad();
        var probabilities = teacherProbabilities.detach();
        using var index = labels.unsqueeze(1);
        using var trueClass = probabilities.gather(1, index);
        var rho = ((1.0 - trueClass) / (classes - 1)).expand(probabilities.shape).contiguous();
        rho.scatter_(1, index, trueClass);
        return rho;
    }

    /// <summary>
    /// KD-sim (domain knowledge only): <c>rho_n = softmax(W_{y_n} . W^T / alpha)</c>, where W is the teacher's logit-layer weight matrix
    /// with each row L2-normalised, so rho_n ranks the classes by the cosine similarity of their weight vectors to the true class's.
    /// </summary>
    /// <param name="logitLayerWeights">W, [K, H]: the weight of the teacher's last <c>Linear</c> (one row per class).</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <param name="alpha">Temperature of the similarity softmax, &gt; 0 (smaller is sharper).</param>
    /// <exception cref="ArgumentOutOfRangeException">alpha not &gt; 0 and finite.</exception>
    /// <exception cref="ArgumentException">Weights that are not [K, H] with K &gt;= 2, or labels that are not int64 [N].</exception>
    public static Tensor ClassSimilarity(Tensor logitLayerWeights, Tensor labels, double alpha)
    {
        if (!(alpha > 0) || double.IsInfinity(alpha))
            throw new ArgumentOutOfRangeException(nameof(alpha), alpha, "The class-similarity temperature alpha must be > 0 and finite.");
        CheckDistributions(logitLayerWeights, nameof(logitLayerWeights), classDimension: 0);
        CheckLabels(labels, -1, nameof(labels));
        using var noGrad = torch.no_grad();
        using var normalised = F.normalize(logitLayerWeights.detach(), 2.0, 1);
        using var rows = normalised.index_select(0, labels);
        using var transposed = normalised.t();
        using var similarities = rows.mm(transposed);
        using var scaled = similarities / alpha;
        return F.softmax(scaled, 1);
    }

    /// <summary>
    /// KD-topk: keeps the teacher's k largest probabilities per sample. <see cref="TopKForm.SpreadRemainder"/> spreads
    /// <c>1 - sum(top k)</c> uniformly over the other K-k classes (Tang et al.); <see cref="TopKForm.Renormalize"/> renormalises the top k to
    /// sum to 1 and gives the others 0. With k = K both return (a copy of) p_t unchanged. Ties are broken as <c>torch.topk</c> does.
    /// A remainder that rounding makes slightly negative is clamped to 0.
    /// </summary>
    /// <param name="teacherProbabilities">p_t, [N, K].</param>
    /// <param name="k">How many classes to keep, 1 &lt;= k &lt;= K.</param>
    /// <param name="form">What the other classes get.</param>
    /// <exception cref="ArgumentOutOfRangeException">k outside [1, K], or an unknown form.</exception>
    /// <exception cref="ArgumentException">Probabilities that are not 2-D.</exception>
    public static Tensor TopK(Tensor teacherProbabilities, int k, TopKForm form)
    {
        int classes = CheckDistributions(teacherProbabilities, nameof(teacherProbabilities), minimumClasses: 1);
        if (k < 1 || k > classes)
            throw new ArgumentOutOfRangeException(nameof(k), k, $"k must lie in [1, K] = [1, {classes}].");
        if (form is not (TopKForm.SpreadRemainder or TopKForm.Renormalize))
            throw new ArgumentOutOfRangeException(nameof(form), form,
                $"Unknown top-k form {(int)form}; expected one of {string.Join(", ", Enum.GetNames<TopKForm>())}.");
        using var noGrad = torch.no_grad();
        var probabilities = teacherProbabilities.detach();
        if (k == classes) return probabilities.clone();

        var (values, indices) = probabilities.topk(k, 1);
        using (values)
        using (indices)
        {
            using var kept = values.sum(1, keepdim: true);
            if (form == TopKForm.Renormalize)
            {
                var rho = torch.zeros_like(probabilities);
                using var renormalised = values / kept;
                rho.scatter_(1, indices, renormalised);
                return rho;
            }
            using var remainder = ((1.0 - kept) / (classes - k)).clamp_min(0);
            var spread = remainder.expand(probabilities.shape).contiguous();
            spread.scatter_(1, indices, values);
            return spread;
        }
    }

    /// <summary>
    /// Tf-KD's hand-made virtual teacher (Yuan et al.): <c>p_d(k) = a</c> if k = c, else <c>(1-a)/(K-1)</c>; float32 [N, K] on the labels'
    /// device. <c>a = 1</c> is the one-hot label; <c>a = 1/K</c> is uniform.
    /// </summary>
    /// <param name="labels">True classes c, int64 [N], each in [0, classCount).</param>
    /// <param name="classCount">K &gt;= 2.</param>
    /// <param name="targetProbability">a in [0, 1] (0.9 to 0.99 in the paper).</param>
    /// <exception cref="ArgumentOutOfRangeException">K &lt; 2 or a outside [0, 1].</exception>
    /// <exception cref="ArgumentException">Labels that are not int64 [N].</exception>
    public static Tensor Virtual(Tensor labels, int classCount, double targetProbability)
    {
        if (classCount < 2)
            throw new ArgumentOutOfRangeException(nameof(classCount), classCount, "The virtual teacher needs at least 2 classes.");
        if (!(targetProbability >= 0 && targetProbability <= 1))
            throw new ArgumentOutOfRangeException(nameof(targetProbability), targetProbability, "The target probability must lie in [0, 1].");
        CheckLabels(labels, -1, nameof(labels));
        return TrueClassDistribution(labels, classCount, targetProbability, (1 - targetProbability) / (classCount - 1), ScalarType.Float32);
    }

    /// <summary>
    /// Mixes two target distributions, <c>w * first + (1 - w) * second</c> (each row stays a distribution). kd-methods.md does not
    /// define how KD-pt and KD-sim combine, so this library's KD-pt+sim is this mixture (see <see cref="InstanceAndSimilarity"/>).
    /// </summary>
    /// <param name="first">A target distribution [N, K].</param>
    /// <param name="second">A target distribution of the same shape.</param>
    /// <param name="firstWeight">w in [0, 1] (default 0.5, the plain average).</param>
    /// <exception cref="ArgumentOutOfRangeException">w outside [0, 1].</exception>
    /// <exception cref="ArgumentException">Shapes that differ.</exception>
    public static Tensor Combine(Tensor first, Tensor second, double firstWeight = 0.5)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        if (!(firstWeight >= 0 && firstWeight <= 1))
            throw new ArgumentOutOfRangeException(nameof(firstWeight), firstWeight, "The mixing weight must lie in [0, 1].");
        if (!first.shape.AsSpan().SequenceEqual(second.shape))
            throw new ArgumentException(
                $"The distributions have shapes [{string.Join(", ", first.shape)}] and [{string.Join(", ", second.shape)}]; they must match.",
                nameof(second));
        using var noGrad = torch.no_grad();
        using var weightedFirst = first.detach() * firstWeight;
        using var weightedSecond = second.detach() * (1 - firstWeight);
        return weightedFirst + weightedSecond;
    }

    /// <summary>
    /// KD-pt+sim as this library defines it: the average of <see cref="Instance"/> and <see cref="ClassSimilarity"/>,
    /// <c>(rho_pt + rho_sim) / 2</c>. kd-methods.md names the two effects but no formula for combining them; the average is a documented
    /// choice, not the paper's definition. Use <see cref="Combine"/> for another mixing weight.
    /// </summary>
    /// <param name="teacherProbabilities">p_t, [N, K].</param>
    /// <param name="logitLayerWeights">W, [K, H], the teacher's last Linear weight.</param>
    /// <param name="labels">True classes, int64 [N].</param>
    /// <param name="alpha">Temperature of the similarity softmax, &gt; 0.</param>
    public static Tensor InstanceAndSimilarity(Tensor teacherProbabilities, Tensor logitLayerWeights, Tensor labels, double alpha)
    {
        using var instance = Instance(teacherProbabilities, labels);
        using var similarity = ClassSimilarity(logitLayerWeights, labels, alpha);
        return Combine(instance, similarity);
    }

    /// <summary>[N, K] with <paramref name="onTrue"/> at each sample's label and <paramref name="offTrue"/> elsewhere.</summary>
    internal static Tensor TrueClassDistribution(Tensor labels, int classCount, double onTrue, double offTrue, ScalarType dtype)
    {
        long n = labels.shape[0];
        using var noGrad = torch.no_grad();
        var rho = torch.full(new long[] { n, classCount }, offTrue, dtype: dtype, device: labels.device);
        using var index = labels.unsqueeze(1);
        using var values = torch.full(new long[] { n, 1 }, onTrue, dtype: dtype, device: labels.device);
        rho.scatter_(1, index, values);
        return rho;
    }

    /// <summary>Checks labels are int64 [expectedCount] (any count when <paramref name="expectedCount"/> is negative).</summary>
    internal static void CheckLabels(Tensor labels, long expectedCount, string name)
    {
        ArgumentNullException.ThrowIfNull(labels, name);
        if (labels.dim() != 1)
            throw new ArgumentException($"Labels must be a 1-D tensor [samples], got shape [{string.Join(", ", labels.shape)}].", name);
        if (labels.dtype != ScalarType.Int64)
            throw new ArgumentException($"Labels must be int64, got {labels.dtype}.", name);
        if (expectedCount >= 0 && labels.shape[0] != expectedCount)
            throw new ArgumentException($"{labels.shape[0]} labels for {expectedCount} samples; they must match.", name);
    }

    /// <summary>Checks a 2-D tensor and returns its class count, the size of <paramref name="classDimension"/>.</summary>
    private static int CheckDistributions(Tensor tensor, string name, int minimumClasses = 2, int classDimension = 1)
    {
        ArgumentNullException.ThrowIfNull(tensor, name);
        string layout = classDimension == 1 ? "[samples, classes]" : "[classes, hidden]";
        if (tensor.dim() != 2)
            throw new ArgumentException($"Expected a 2-D tensor {layout}, got shape [{string.Join(", ", tensor.shape)}].", name);
        if (tensor.shape[classDimension] < minimumClasses)
            throw new ArgumentException(
                $"At least {minimumClasses} classes are needed, got shape {layout} = [{string.Join(", ", tensor.shape)}].", name);
        return checked((int)tensor.shape[classDimension]);
    }
}
