namespace KdDsl.Losses;

/// <summary>How <c>KdDsl.Losses.TeacherDistributions.TopK</c> treats the classes outside the teacher's top k (Tang et al.'s KD-topk).</summary>
public enum TopKForm
{
    /// <summary>Keep the top-k probabilities as they are and spread <c>1 - sum(top k)</c> uniformly over the other K-k classes.</summary>
    SpreadRemainder,

    /// <summary>Keep the top-k probabilities renormalised to sum to 1 over the top k; every other class gets 0.</summary>
    Renormalize,
}
