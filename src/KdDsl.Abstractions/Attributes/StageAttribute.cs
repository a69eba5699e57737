using System;

namespace KdDsl;

/// <summary>
/// One stage of a distillation trained in stages (FitNets' recipe: a hint stage that trains the student's lower blocks and the
/// connector, then knowledge distillation on the whole student). Stages run in the order of their numbers, each with its own
/// epochs, learning rate (a fresh optimizer and schedule from <c>[Train]</c>'s settings) and trained parameters, on the
/// student the previous stage left. A term joins a stage with <c>Stage = n</c> on <c>[Loss]</c> or <c>[MatchLayers]</c>; a term
/// without it is part of every stage. Each stage checkpoints on its own (the run's checkpoint path plus <c>.stage{n}</c>), so a
/// run killed in stage 2 resumes in stage 2 and ends as an uninterrupted one would.
/// </summary>
/// <param name="number">The stage's number, from 1; stages run in ascending order.</param>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = true, Inherited = false)]
public sealed class StageAttribute(int number) : Attribute
{
    /// <summary>The stage's number, from 1; stages run in ascending order.</summary>
    public int Number { get; } = number;

    /// <summary>Distillation epochs of this stage; 0 (the default) takes <c>[Train(Epochs = ...)]</c>.</summary>
    public int Epochs { get; set; }

    /// <summary>The optimizer's learning rate in this stage; 0 (the default) takes <c>[Train(LearningRate = ...)]</c>.</summary>
    public double LearningRate { get; set; }

    /// <summary>
    /// The student parameters this stage trains, as prefixes of their names (<c>"blocks.0"</c> trains <c>blocks.0.*</c>); the
    /// others are frozen for the stage (no gradient, no update). Null (the default) trains the whole student. A layer-matching
    /// connector always trains in the stages that match layers.
    /// </summary>
    public string[]? Trains { get; set; }
}
