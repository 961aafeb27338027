"""Quality of the trained model on held-out data (written apart from training).

CI trains the model afresh. The intent classifier (a linear SVM, fixed seed)
gives the same figures on every training with the same data, so each floor
sits just under the figure measured (given beside it, with its date) and says
whether that figure meets the target it is checked against. Intent figures are on the clean held-out set of
2026-12-04: no sentence in it also stands in the training data
(tests/unit/test_heldout_is_held_out.py). `make evaluate` prints the full report.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

import pytest

from harness.servers import MODEL
from evaluation.quality import evaluate

pytestmark = pytest.mark.model


@pytest.fixture(scope="module")
def report() -> Dict[str, Any]:
    return evaluate(str(MODEL))


def test_intent_accuracy(report: Dict[str, Any]) -> None:
    # 0.974 on 2026-12-04 with the linear classifier and gap_questions.yml, statements.yml and
    # chat_and_followups.yml (n=467; DIET gave 0.906 on the same set, the linear classifier 0.929 before those
    # files). "Did you mean" counts as wrong (1.3 %).
    # gap_questions.yml was written for the kinds of sentence this set showed wrong, so this figure flatters;
    # the blind tables below are the honest ones (each one's first use).
    assert report["intent"]["accuracy"] >= 0.965


# Floors per blind intent table (accuracy, every style, in-scope kept), each just under today's figure:
# - blind_intents.yml (A), first use 2026-12-04 (DIET): 0.870 (web 0.918, messaging 0.836, phone 0.854), kept
#   0.987. Now 0.957 (web 0.986, messaging 0.945, phone 0.938), kept 1.0.
# - blind_intents_b.yml (B), first use 2026-12-04 on the linear classifier: 0.900 of 440 (web 0.931, messaging
#   0.887, phone 0.883), kept 0.992; 0.896 on the 422 rows left after dropping look-alikes of training
#   sentences. Now 0.934 (web 0.948, messaging 0.932, phone 0.923), kept 0.992.
# - blind_intents_c.yml (C), first use 2026-12-04 on the model of 5cf822c: 0.932 of 440 (web 0.955, messaging
#   0.909, phone 0.932), kept 1.000; 0.930 on the 415 rows left. chat_and_followups.yml was then written for
#   its weak kinds (so its figure flatters now): 0.966 (web 0.972, messaging 0.966, phone 0.960), kept 1.0.
# - blind_intents_d.yml (D), first use 2026-12-04 on the model of eea97dd (the honest figure of the final
#   model): 0.973 of 440 (web 0.987, messaging 0.974, phone 0.955), kept 0.996; 0.975 on the 404 rows left
#   (web 0.993, messaging 0.971, phone 0.960). After fit_and_spread.yml and answers_and_definitions.yml (tables G and
#   H) 0.970, messaging 0.943: five chat questions fall to "Did you mean" and one gets the screen question. The style
#   floor moved from 0.95 to 0.94 to record that loss, not to hide it (README, Quality).
# - blind_intents_f.yml (F), first use 2026-12-05 at 54ad3da: 0.900 of 440 (web 0.883, messaging 0.896, phone
#   0.924), kept 0.988; 0.898 on the 410 rows left. data/nlu/causes_and_checks.yml was then written for its weak
#   kinds (so its figure flatters now): 0.937 (web 0.923, messaging 0.931, phone 0.959), kept 0.987.
# - blind_intents_g.yml (G), first use 2026-12-05 at 54c7d61 (after causes_and_checks.yml): 0.909 of 440 (web 0.916,
#   messaging 0.896, phone 0.917), kept 1.000; 0.906 on the 415 rows left (messaging 0.887). data/nlu/
#   fit_and_spread.yml was then written for its weak kinds (flattered since): 0.940 (messaging 0.901), kept 1.000;
#   F 0.941 at the same model.
# - blind_intents_h.yml (H), first use 2026-12-05 at 37ae3b6 (after fit_and_spread.yml): 0.916 of 440 (web 0.922,
#   messaging 0.922, phone 0.902), kept 1.000; 0.911 on the 416 rows left (phone 0.898). data/nlu/
#   answers_and_definitions.yml was then written for its weak kinds (flattered since): 0.945 (web 0.937), kept 1.000.
# - blind_intents_i.yml (I), first use 2026-12-05 at aa913f5 (after answers_and_definitions.yml): 0.952 of 440 (web
#   0.955, messaging 0.935, phone 0.970), kept 1.000; 0.953 on the 407 rows left (messaging 0.935). data/nlu/
#   suitability_and_diagnosis.yml was then written for its weak kinds (flattered since): 0.975 (messaging 0.964);
#   0.973 (messaging 0.956) after practicalities_and_spread.yml and the detector's retraining on 2026-12-06 (the screen
#   band takes "im 34 btw", whose kind the detector reads as self-harm).
# - blind_intents_j.yml (J), first use 2026-12-05 at 9ded3e8 (after suitability_and_diagnosis.yml): 0.941 of 440 (web
#   0.942, messaging 0.942, phone 0.939), kept 1.000; 0.939 on the 413 rows left (messaging 0.936). data/nlu/
#   session_and_pain_pattern.yml was then written for its weak kinds (flattered since): 0.956 (messaging 0.943).
# - blind_intents_k.yml (K), first use 2026-12-05 at 35bbf67 (after session_and_pain_pattern.yml): 0.945 of 440 (web
#   0.929, messaging 0.955, phone 0.955), kept 1.000; 0.942 on the 417 rows left (web 0.924); 0.940 on 416 after the
#   wider overlap search and rules rounds 14 and 15 (the emergency detector's screen takes a few ordinary messages).
#   data/nlu/practicalities_and_spread.yml was then written for its weak kinds (flattered since).
# - blind_intents_l.yml (L), first use 2026-12-06 at 78dd34a (after practicalities_and_spread.yml): 0.970 of 440 (web
#   0.974, messaging 0.961, phone 0.977), kept 0.996; 0.968 on the 412 rows left (messaging 0.959).
# - blind_intents_m.yml (M), first use 2026-12-06 at 97b5803 (after the low screen band's change): 0.948 of 440 (web
#   0.942, messaging 0.948, phone 0.955), out of scope rejected 1.000, kept 0.996; 0.947 on the 412 rows left (web
#   0.936). data/nlu/tissue_and_timing.yml was then written for its weak kinds (flattered since): 0.956.
# - blind_intents_n.yml (N), first use 2026-12-06 at 83b92d8 (after tissue_and_timing.yml): 0.952 of 440 (web 0.942,
#   messaging 0.955, phone 0.962), out of scope rejected 1.000, kept 1.000; 0.955 on the 422 rows left. data/nlu/
#   definitions_and_cautions.yml was then written for its weak kinds (flattered since): 0.967 (web 0.951).
# - blind_intents_o.yml (O), first use 2026-12-06 at 6d25856 (after definitions_and_cautions.yml and the low band's
#   farewell rule): 0.918 of 440 (web 0.929, messaging 0.890, phone 0.939), kept 0.996. Written from a draft brief
#   and relabelled to the training data's conventions before its use (tests/data/briefs). data/nlu/
#   conditions_and_sessions.yml, then clinic_practicalities.yml (its clinic-hours rows) came after it: 0.949
#   (messaging 0.918) on the 413 rows left.
# - blind_intents_p.yml (P), first use 2026-12-06 at 2ab429c: 0.857 of 440 (web 0.877, messaging 0.851, phone
#   0.841), kept 0.974; its writer was asked for five invented voices and unusual words. 0.884 on the 415 rows left
#   after sessions_causes_and_remedies.yml (flattered).
# - blind_intents_q.yml (Q), first use 2026-12-06 at 68bbb2b: 0.918 of 440 (web 0.948, messaging 0.903, phone
#   0.902), kept 0.988; 0.938 on the 416 rows left after posture_soreness_and_small_talk.yml (flattered).
# - blind_intents_r.yml (R), first use 2026-12-06 at ae8cdb0: 0.914 of 440 (web 0.961, messaging 0.877, phone
#   0.902), out of scope rejected 0.900, kept 0.988; 0.913 on the 416 rows left, then names_soreness_and_opening_hours
#   .yml (flattered since).
# - blind_intents_s.yml (S), first use 2026-12-06 at 2ab3d33: 0.927 of 440 (web 0.916, messaging 0.922, phone
#   0.947), out of scope rejected 0.950, kept 0.988; 0.923 on the 426 rows left, then heat_pressure_and_farewells.yml
#   and the soreness and blood-thinner relabelling (flattered since).
# - blind_intents_t.yml (T), first use 2026-12-06 at aaf4f2e: 0.927 of 440 (web 0.935, messaging 0.909, phone
#   0.939), out of scope rejected 0.900, kept 0.996; 0.926 on the 418 rows left, then oils_feelings_and_callbacks.yml
#   (flattered since).
# - blind_intents_u.yml (U), first use 2026-12-06 at fed7b5a: 0.950 of 440 (web 0.981, messaging 0.916, phone
#   0.955), out of scope rejected 0.950, kept 1.000; 0.950 on the 423 rows left, then scars_headaches_and_tests.yml
#   (flattered since: 0.962).
# - blind_intents_v.yml (V), first use 2026-12-06 at 2dedea2: 0.955 of 440 (web 0.981, messaging 0.968, phone
#   0.909), out of scope rejected 0.950, kept 0.996; 0.956 on the 412 rows left, then posture_causes_and_sign_offs.yml
#   (flattered since: 0.971).
# - blind_intents_w.yml (W), first use 2026-12-06 at a327a9c: 0.957 of 440 (web 0.968, messaging 0.968, phone
#   0.932), out of scope rejected 0.950, kept 0.992; 0.961 on the 412 rows left, then clothing_jaw_and_referred_pain.yml
#   (flattered since: 0.973).
# - blind_intents_x.yml (X), first use 2026-12-06 at d731488: 0.948 of 440 (web 0.955, messaging 0.942, phone
#   0.947), out of scope rejected 0.950, kept 1.000; 0.944 on the 409 rows left, then fascia_fractures_and_options.yml
#   and the "Did you mean" thresholds chosen on the registered tables (0.963 since; X was in that choice's data).
# - blind_intents_y.yml (Y), first use 2026-12-06 at d661250 (the first after the new thresholds): 0.964 of 440 (web
#   0.987, messaging 0.942, phone 0.962), out of scope rejected 0.900, kept 0.996; 0.968 on the 410 rows left, then
#   holds_hangups_and_shop_hours.yml (flattered since: 0.976).
# - blind_intents_z.yml (Z), first use 2026-12-06 at 953f36f: 0.943 of 440 (web 0.981, messaging 0.935, phone
#   0.909), out of scope rejected 1.000, kept 0.996; 0.941 on the 422 rows left, then spa_allergies_and_callbacks.yml
#   (flattered since: 0.948, phone 0.930).
# - blind_intents_aa.yml (AA), first use 2026-12-06 at 27826d7: 0.950 of 440 (web 0.968, messaging 0.942, phone
#   0.939), out of scope rejected 0.900, kept 0.992; 0.952 on the 418 rows left, then
#   cycling_names_and_sunday_hours.yml and the thresholds 0.35 and 0.05 (flattered since: 0.969).
# - blind_intents_ab.yml (AB), first use 2026-12-06 at c2de78f: 0.941 of 440 (web 0.961, messaging 0.903, phone
#   0.962), out of scope rejected 0.950, kept 1.000; 0.940 on the 419 rows left, then pressure_studies_and_night_all
#   .yml and the thresholds 0.36 and 0.08 (flattered since: 0.955, messaging 0.925).
# - blind_intents_ac.yml (AC), first use 2026-12-06 at c837f2c: 0.943 of 440 (web 0.961, messaging 0.929, phone
#   0.939), out of scope rejected 0.950, kept 0.996; registered with AD (415 rows left), no data file written from it.
# - blind_intents_ad.yml (AD), first use 2026-12-06 at 1458f24 (AC's model): 0.957 of 440 (web 0.987, messaging
#   0.935, phone 0.947), out of scope rejected 0.950, kept 0.996; 411 rows left. With AC and AD registered the
#   thresholds stayed at 0.36 and 0.08, and the screen band's low end rose to 0.5 (mfr/safety.py): AC 0.947, AD 0.959.
# - blind_intents_ae.yml (AE), first use 2026-12-06 at 2b44dc4 (after both): 0.955 of 440 (web 0.981, messaging
#   0.929, phone 0.955), out of scope rejected 0.950, kept 0.996; 423 rows left. The low end went back to 0.3 after
#   emergency table 45 (mfr/safety.py).
# - blind_intents_af.yml (AF), first use 2026-12-06 at d748c0a (AE's model): 0.961 of 440 (web 0.994, messaging 0.916,
#   phone 0.977), out of scope rejected 0.950, kept 0.996; 419 rows left, then letters_knots_and_errands.yml (written
#   from AE's and AF's errors) and the thresholds 0.33 and 0.07 (flattered since: AE 0.962, AF 0.967).
# - blind_intents_ag.yml (AG), first use 2026-12-06 at ac521ed: 0.968 of 440 (web 0.981, messaging 0.955, phone
#   0.970), out of scope rejected 0.950, kept 0.996; 412 rows left, then vouchers_checklists_and_hellos.yml and the
#   thresholds 0.33 and 0.08 (flattered since: 0.976).
# - blind_intents_ah.yml (AH), first use 2026-12-06 at 367ab3e (after AG's file): 0.961 of 440 (web 0.987, messaging
#   0.948, phone 0.947), out of scope rejected 0.900, kept 0.996; 418 rows left, then clothes_allergies_and_visits.yml
#   (flattered since: 0.964).
# - blind_intents_ai.yml (AI), first use 2026-12-07 at b61bb3e (AH's model): 0.977 of 440 (web 0.994, messaging 0.994,
#   phone 0.939), out of scope rejected 1.000, kept 1.000; 415 rows left, then scars_payment_and_abilities.yml
#   (flattered since: 0.981).
# - blind_intents_aj.yml (AJ), first use 2026-12-07 at b19fdb8 (AH registered): 0.950 of 440 (web 0.961, messaging
#   0.929, phone 0.962), out of scope rejected 1.000, kept 0.996; 415 rows left.
# - blind_intents_ak.yml (AK), first use 2026-12-07 at c610c6b (AI registered): 0.948 of 440 (web 0.961, messaging
#   0.935, phone 0.947), out of scope rejected 0.950, kept 0.996; 415 rows left.
# - blind_intents_al.yml (AL), first use 2026-12-07 at 5ca9b11 (out of scope's weight tripled): 0.966 of 440 (web
#   0.981, messaging 0.955, phone 0.962), out of scope rejected 1.000, kept 0.996; 413 rows left.
# - blind_intents_am.yml (AM), first use 2026-12-07 at c469e10 (AL's model): 0.945 of 440 (web 0.981, messaging
#   0.929, phone 0.924), out of scope rejected 1.000, kept 0.988; 418 rows left. AJ to AM were registered together,
#   then thinners_letters_and_fit_checks.yml and the thresholds 0.29 and 0.06 (flattered since: AJ 0.961, AK 0.957,
#   AL 0.971, AM 0.952).
# - blind_intents_an.yml (AN), first use 2026-12-07 at a891d11 (AJ to AM registered, their data file, thresholds 0.29
#   and 0.06): 0.945 of 440 (web 0.961, messaging 0.896, phone 0.985), out of scope rejected 1.000, kept 0.992; 420 rows
#   left, then discounts_callbacks_and_lumbar.yml (flattered since: 0.964, messaging 0.946).
# - blind_intents_ao.yml (AO), first use 2026-12-07 at e11a48f (AN registered, its data file): 0.977 of 440 (web 0.994,
#   messaging 0.968, phone 0.970), out of scope rejected 0.950, kept 0.996; 420 rows left, then
#   prices_rubdowns_and_xrays.yml (flattered since: 0.988).
# - blind_intents_ap.yml (AP), first use 2026-12-07 at 5d8f48e (AO registered, its data file): 0.950 of 440 (web 0.968,
#   messaging 0.942, phone 0.939), out of scope rejected 0.950, kept 1.000; 416 rows left, then
#   trades_referrals_and_staff.yml and the ambiguity threshold 0.05 (flattered since: 0.974, phone 0.961).
# - blind_intents_aq.yml (AQ), first use 2026-12-07 at 0c6b2d6 (AP registered, its data file, ambiguity 0.05): 0.968 of
#   440 (web 0.987, messaging 0.961, phone 0.955), out of scope rejected 1.000, kept 1.000; 419 rows left, then
#   hips_thinners_and_studies.yml (flattered since: 0.976, messaging 0.966).
# - blind_intents_ar.yml (AR), first use 2026-12-07 at e2266cd (AQ registered, its data file): 0.977 of 440 (web 0.987,
#   messaging 0.968, phone 0.977), out of scope rejected 1.000, kept 1.000; 411 rows left, then
#   posture_migraines_and_bots.yml (flattered since: 0.985, web and messaging 0.979).
# - blind_intents_as.yml (AS), first use 2026-12-07 at 1bdcecf (AR registered, its data file): 0.968 of 440 (web 0.981,
#   messaging 0.955, phone 0.970), out of scope rejected 0.950, kept 0.996; 416 rows left, then
#   thinners_knots_and_team.yml (flattered since: 0.986, messaging 0.972).
# - blind_intents_at.yml (AT), first use 2026-12-07 at 031d4f5 (AS registered, its data file): 0.982 of 440 (web 1.000,
#   messaging 0.981, phone 0.962), out of scope rejected 1.000, kept 0.996; 424 rows left, then
#   hairdressers_strains_and_hangups.yml (0.981 since: it fixed none of AT's eight errors).
# - blind_intents_au.yml (AU), first use 2026-12-07 at 506e929 (AT registered, its data file): 0.964 of 440 (web 0.974,
#   messaging 0.961, phone 0.955), out of scope rejected 0.950, kept 0.992; 424 rows left, then
#   rowers_knots_and_hooroos.yml (flattered since: 0.972, phone 0.962).
# - blind_intents_av.yml (AV), first use 2026-12-07 at b5cd8e2 (AU registered, its data file): 0.984 of 440 (web 0.994,
#   messaging 0.981, phone 0.977), out of scope rejected 0.950, kept 0.996; 416 rows left, then
#   placebo_sundays_and_vets.yml (flattered since: 0.993, phone 0.977).
# - blind_intents_aw.yml (AW), first use 2026-12-07 at 4514fb1 (AV registered, its data file): 0.964 of 440 (web 0.974,
#   messaging 0.955, phone 0.962), out of scope rejected 0.950, kept 1.000; 423 rows left, then
#   hunched_knots_and_machines.yml (flattered since: 0.972, messaging 0.966; 0.969 after rules round 66, when the
#   learned detector, retrained with table 68, sent one more of its rows to the screen question: floor 0.965).
# - blind_intents_ax.yml (AX), first use 2026-12-07 at 55c16ef (AW registered, its data file): 0.973 of 440 (web 0.994,
#   messaging 0.974, phone 0.947), out of scope rejected 1.000, kept 0.996; 420 rows left, then
#   tissue_slouches_and_sources.yml (flattered since: 0.976, phone 0.962).
# - blind_intents_ay.yml (AY), first use 2026-12-07 at 85560d6 (AX registered, its data file): 0.973 of 440 (web 0.981,
#   messaging 0.961, phone 0.977), out of scope rejected 0.950, kept 1.000; 419 rows left, then
#   price_lists_lambing_and_nights.yml (flattered since: 0.983, messaging 0.972).
# - blind_intents_az.yml (AZ), first use 2026-12-07 at 5e6d916 (AY registered, its data file): 0.966 of 440 (web 0.981,
#   messaging 0.974, phone 0.939), out of scope rejected 1.000, kept 0.996; 416 rows left, then
#   osteopaths_scars_and_callbacks.yml (0.966 since, phone 0.953).
# - blind_intents_ba.yml (BA), first use 2026-12-07 at 3f62cb3 (AZ registered, its data file): 0.973 of 440 (web 0.974,
#   messaging 0.968, phone 0.977), out of scope rejected 1.000, kept 1.000; 419 rows left, then
#   acronyms_greetings_and_profiles.yml (flattered since: 0.981, messaging 0.972).
# - blind_intents_bb.yml (BB), first use 2026-12-07 at a22f27a (BA registered, its data file): 0.989 of 440 (web 0.994,
#   messaging 0.981, phone 0.992), out of scope rejected 1.000, kept 1.000; 416 rows left, then
#   dancers_mornings_and_muscle_words.yml (flattered since: 0.993, messaging 0.986).
# - blind_intents_bc.yml (BC), first use 2026-12-07 at 6f5b982 (BB registered, its data file): 0.975 of 440 (web 0.987,
#   messaging 0.961, phone 0.977), out of scope rejected 0.950, kept 0.996; 420 rows left, then
#   undies_callbacks_and_ta_ras.yml (flattered since: 0.983, messaging 0.979).
# On 2026-12-07 out of scope's class weight was tripled (config.yml, out_of_scope_weight) and
# tablets_undressing_and_next_day.yml written for the topic questions it pushed out: Y's messaging rows fell from
# 0.944 to 0.937 and AB from 0.952 to 0.945 (messaging 0.912), so their floors are 0.965/0.935 and 0.94/0.91.
# With the thresholds 0.36 and 0.08 (AB registered), Y's messaging rows fell from 0.965 to 0.951: its style floor
# moved from 0.96 to 0.945. After the emergency detector learnt tables 39 to 42, "staff member plz, this isnt helping"
# fell into its screen band (0.17, read as self-harm): X's messaging rows fell from 0.958 to 0.951, its style floor
# from 0.955 to 0.945. After it learnt table 43, AC's messaging rows moved from 0.932 to 0.926 (one row): its style
# floor is 0.92. With the screen band's low end back at 0.3, AC is at 0.942 (phone 0.943) and AD at 0.956: AC's floor
# is 0.94. With the thresholds 0.33 and 0.08 (AE to AG registered), Y's messaging rows fell from 0.951 to 0.944: its
# style floor is 0.94. With the thresholds 0.29 and 0.06 (AJ to AM registered), X's messaging rows fell from 0.951 to
# 0.944: its style floor is 0.94.
# With AP to AS registered, their data files and the ambiguity threshold 0.05, AK fell from 0.957 to 0.954 (messaging
# 0.945 to 0.938) and AN from 0.962 to 0.960 (messaging 0.946 to 0.939), a row or two each: their floors are 0.95/0.935
# and 0.955/0.935.
# Since the thresholds are chosen on the registered tables (evaluation/thresholds.py), every table's figure here is
# flattered a little more; only first uses are honest.
# Targets (the model issue): 0.96 overall and 0.95 phone met on D's, L's and Y's first uses; phone met on I's (0.970),
# K's (0.955), M's (0.955), N's (0.962) and U's (0.955) but overall not (0.952, 0.945, 0.948, 0.952, 0.950); neither on
# F's, G's, H's, J's, O's, P's, Q's, R's, S's, T's, V's (0.955, phone 0.909), W's (0.957, phone 0.932), X's (0.948,
# phone 0.947), Z's (0.943, phone 0.909), AA's (0.950, phone 0.939), AB's (0.941, messaging 0.903), AC's (0.943,
# phone 0.939) or AD's (0.957, phone 0.947); phone met on AE's (0.955) but overall not (0.955); both met on AF's (0.961,
# phone 0.977) and AG's (0.968, phone 0.970); overall met on AH's (0.961) and AI's (0.977) but phone not (0.947,
# 0.939); both met on AL's (0.966, phone 0.962); phone met on AJ's (0.962) but overall not (0.950); neither on AK's
# (0.948, phone 0.947) or AM's (0.945, phone 0.924); phone met on AN's (0.985) but overall not (0.945, messaging
# 0.896); both met on AO's (0.977, phone 0.970); neither on AP's (0.950, phone 0.939); both on AQ's (0.968, phone
# 0.955), AR's (0.977, phone 0.977), AS's (0.968, phone 0.970) and AT's (0.982, phone 0.962). 0.99 kept met on all
# but F (0.987), P (0.974), Q, R, S and AM (0.988).
BLIND_FLOORS = {
    "blind_intents.yml": (0.945, 0.925, 0.99),
    "blind_intents_b.yml": (0.925, 0.91, 0.99),
    "blind_intents_c.yml": (0.955, 0.95, 0.99),
    "blind_intents_d.yml": (0.965, 0.94, 0.99),
    "blind_intents_f.yml": (0.935, 0.925, 0.98),
    "blind_intents_g.yml": (0.935, 0.895, 0.99),
    "blind_intents_h.yml": (0.94, 0.93, 0.99),
    "blind_intents_i.yml": (0.97, 0.955, 0.99),
    "blind_intents_j.yml": (0.95, 0.94, 0.99),
    "blind_intents_k.yml": (0.935, 0.92, 0.99),
    "blind_intents_l.yml": (0.965, 0.955, 0.99),
    "blind_intents_m.yml": (0.94, 0.93, 0.99),
    "blind_intents_n.yml": (0.96, 0.945, 0.99),
    "blind_intents_o.yml": (0.94, 0.91, 0.99),
    "blind_intents_p.yml": (0.875, 0.87, 0.98),
    "blind_intents_q.yml": (0.93, 0.90, 0.985),
    "blind_intents_r.yml": (0.95, 0.915, 0.99),
    "blind_intents_s.yml": (0.95, 0.935, 0.99),
    "blind_intents_t.yml": (0.945, 0.92, 0.99),
    "blind_intents_u.yml": (0.955, 0.925, 0.99),
    "blind_intents_v.yml": (0.965, 0.94, 0.99),
    "blind_intents_w.yml": (0.97, 0.955, 0.99),
    "blind_intents_x.yml": (0.96, 0.94, 0.99),
    "blind_intents_y.yml": (0.965, 0.935, 0.99),
    "blind_intents_z.yml": (0.945, 0.925, 0.99),
    "blind_intents_aa.yml": (0.96, 0.955, 0.99),
    "blind_intents_ab.yml": (0.94, 0.91, 0.99),
    "blind_intents_ac.yml": (0.94, 0.92, 0.99),
    "blind_intents_ad.yml": (0.955, 0.93, 0.99),
    "blind_intents_ae.yml": (0.955, 0.935, 0.99),
    "blind_intents_af.yml": (0.96, 0.93, 0.99),
    "blind_intents_ag.yml": (0.97, 0.95, 0.99),
    "blind_intents_ah.yml": (0.965, 0.935, 0.99),
    "blind_intents_ai.yml": (0.98, 0.95, 0.99),
    "blind_intents_aj.yml": (0.955, 0.945, 0.99),
    "blind_intents_ak.yml": (0.95, 0.935, 0.99),
    "blind_intents_al.yml": (0.965, 0.95, 0.99),
    "blind_intents_am.yml": (0.945, 0.925, 0.99),
    "blind_intents_an.yml": (0.955, 0.935, 0.99),
    "blind_intents_ao.yml": (0.98, 0.975, 0.99),
    "blind_intents_ap.yml": (0.965, 0.95, 0.99),
    "blind_intents_aq.yml": (0.97, 0.96, 0.99),
    "blind_intents_ar.yml": (0.98, 0.97, 0.99),
    "blind_intents_as.yml": (0.98, 0.965, 0.99),
    "blind_intents_at.yml": (0.975, 0.955, 0.99),
    "blind_intents_au.yml": (0.965, 0.955, 0.99),
    "blind_intents_av.yml": (0.985, 0.97, 0.99),
    "blind_intents_aw.yml": (0.965, 0.96, 0.99),
    "blind_intents_ax.yml": (0.975, 0.96, 0.99),
    "blind_intents_ay.yml": (0.98, 0.965, 0.99),
    "blind_intents_az.yml": (0.96, 0.95, 0.99),
    "blind_intents_ba.yml": (0.975, 0.965, 0.99),
    "blind_intents_bb.yml": (0.985, 0.975, 0.99),
    "blind_intents_bc.yml": (0.975, 0.97, 0.99),
}


@pytest.mark.parametrize("table", sorted(BLIND_FLOORS))
def test_blind_intent_tables(report: Dict[str, Any], table: str) -> None:
    accuracy_floor, style_floor, kept_floor = BLIND_FLOORS[table]
    blind = report["blind_intent"][table]
    assert blind["accuracy"] >= accuracy_floor
    assert all(accuracy >= style_floor for accuracy, _ in blind["by_style"].values()), blind["by_style"]
    assert blind["scope"]["in_scope_kept"] >= kept_floor


def test_every_blind_intent_table_has_floors() -> None:
    from evaluation.heldout import BLIND_INTENT_TABLES

    assert set(BLIND_FLOORS) == set(BLIND_INTENT_TABLES)


def test_every_style_of_text_is_understood(report: Dict[str, Any]) -> None:
    for style, (accuracy, n) in report["intent_by_style"].items():
        # 2026-12-04 (linear classifier, gap_questions.yml, statements.yml, chat_and_followups.yml): web 0.977,
        # messaging 0.968, phone 0.978 (the model issue's 0.95 for phone: met here and on blind table D's first
        # use, 0.955). 2026-12-06, after the data files for blind tables R to T and the soreness and blood-thinner
        # relabelling: web 0.966, messaging 0.974, phone 0.956 (129 of 135; five of its six errors are "Did you
        # mean", whose thresholds are chosen again at each training). The floor is still over the issue's 0.95.
        assert accuracy >= 0.955, (style, accuracy, n)


# Emergency tables (evaluation/emergency.py). Each red_flags_seen*.yml was a blind
# table until its first use (figures in the README); since then its failure
# kinds were used, so these are regression floors, just under today's figures.
REGRESSION_TABLES = ["red_flags.yml", "red_flags_seen.yml", "red_flags_seen_2.yml", "red_flags_seen_3.yml",
                     "red_flags_seen_5.yml", "red_flags_seen_7.yml", "red_flags_seen_8.yml",
                     "red_flags_seen_9.yml"]


@pytest.mark.parametrize("table", REGRESSION_TABLES)
def test_emergency_regression_tables(report: Dict[str, Any], table: str) -> None:
    e = report["emergency"][table]["model"]
    assert e["reply_recall"] == 1.0, e["misses"]
    assert e["negative_reply_rate"] <= 0.02, e["false_alarms"]
    assert e["negative_screen_rate"] <= 0.10, e["screened_negatives"]


# Floors per emergency table that was blind until its first use, just under today's figures: (reply, reply or
# screen, hard negatives' reply rate, hard negatives' screen rate). First-use figures are in the README (Quality).
# - red_flags_seen_4.yml: first use 2026-11-24 0.808 / 0.091; 2026-12-04 (rules round 7 + learned detector) 0.99 /
#   0.018.
# - red_flags_seen_6.yml, the learned detector's validation table: first use 2026-12-04 98.2 % reply, 100 % reply or
#   screen, 3.4 % / 19.3 % of hard negatives. The detector never trained on it; the rules saw its failure kinds.
# - red_flags_seen_10.yml: first use 2026-12-04 99.3 %, 100 %, 1.7 % / 9.7 %; learned from since.
# - red_flags_seen_11.yml: first use 2026-12-05 99.6 %, 100 %, 1.1 % / 5.1 %; learned from since (1.2 % / 2.5 %).
# - red_flags_seen_12.yml (table 12): first use 2026-12-05 at 6955693 98.2 %, 100 %, 6.2 % / 6.2 %; rules round 9 came
#   from its failure kinds and the learned detector learns from it since.
# - red_flags_seen_13.yml (table 13, J): first use 2026-12-05 at c784d4d 99.3 % of 280, 100 %, 8.5 % / 9.7 % of 176;
#   rules round 10 came from its failure kinds and the learned detector learns from it since (100 %, 100 %, 2.3 % /
#   3.4 %; 0.0 % / 3.4 % after rules round 11).
# - red_flags_seen_14.yml (table 14, K): first use 2026-12-05 at ba8b53f (rules round 10) 98.9 % of 280, 100 %,
#   4.0 % / 8.0 % of 176; 441 rows since 15 that nearly copied table 13 or training were dropped; rules round 11 came
#   from its failure kinds and the learned detector learns from it since (99.6 %, 100 %, 0.0 % / 2.4 %).
# - red_flags_seen_15.yml (table 15, L): first use 2026-12-05 at d934e95 (rules round 11) 99.3 % of 280, 99.6 %,
#   1.7 % / 11.4 % of 176 (the 3 % target for hard negatives' reply met); 439 rows since 17 that nearly copied table 14
#   or training were dropped; rules round 12 came from its two misses and the learned detector learns from it since
#   (100 %, 100 %, 0.0 % / 4.1 %).
# - red_flags_seen_16.yml (table 16, M): first use 2026-12-05 at f6e5ea8 (rules round 12) 100 % of 280, 100 %, 8.0 % /
#   5.1 % of 176 (over the 3 % target); 439 rows since 17 that nearly copied table 15 or training were dropped; rules
#   round 13 came from its false alarms and the learned detector learns from it since (100 %, 100 %, 0.0 % / 2.9 %).
# - red_flags_seen_17.yml (table 17, N): first use 2026-12-05 at 6ffc93d (rules round 13) 98.9 % of 280, 100 %, 5.1 %
#   / 6.2 % of 176 (over the 3 % target); 438 rows since 18 that nearly copied table 16 or training were dropped; rules
#   round 14 came from its failure kinds and the learned detector learns from it since (100 %, 100 %, 1.7 % / 1.2 %).
# - red_flags_seen_18.yml (table 18, O): first use 2026-12-05 at fa4f073 (rules round 14) 100 % of 280, 100 %, 5.7 %
#   / 7.4 % of 176 (over the 3 % target); 417 rows since 39 that nearly copied table 17 or training were dropped; rules
#   round 15 came from its false alarms and the learned detector learns from it since (100 %, 100 %, 0.0 % / 4.2 %).
# - red_flags_seen_19.yml (table 19, P): first use 2026-12-05 at f2dd137 (rules round 15) 99.3 % of 280, 100 %, 4.5 %
#   / 9.1 % of 176 (over the 3 % target; burns and pregnancy 90 %); 429 rows since 27 that nearly copied table 18 or
#   training were dropped; rules round 16 came from its misses and false alarms and the learned detector learns from
#   it since (100 %, 100 %, 0.0 % / 2.4 %).
# - red_flags_seen_20.yml (table 20, Q): first use 2026-12-06 at ea1d6c6 (rules round 16) 99.6 % of 280, 100 %, 2.3 %
#   / 9.7 % of 176 (under the 3 % target; self-harm 90 %); 440 rows since 16 that nearly copied table 19 or training
#   were dropped; rules round 17 came from it and the learned detector learns from it since (100 %, 100 %, 0.0 % /
#   3.5 %).
# - red_flags_seen_21.yml (table 21, R): first use 2026-12-06 at 97b5803 (round 16 and the low screen band's change)
#   98.9 % of 280, 100 %, 4.0 % / 5.1 % of 176; 429 rows since 27 look-alikes were dropped; rules round 18 came from
#   it and the detector learns from it since (100 %, 100 %, 0.0 % / 2.4 %).
# - red_flags_seen_22.yml (table 22, S): first use 2026-12-06 at 95c5b90 (rules round 18) 98.9 % of 280, 100 %, 1.7 %
#   / 4.5 % of 176 (under the 3 % target; pregnancy, seizure, unconscious 90 %); 435 rows since 21 look-alikes were
#   dropped; rules round 19 came from it and the detector learns from it since (100 %, 100 %, 0.0 % / 2.3 %).
# - red_flags_seen_23.yml (table 23, T): first use 2026-12-06 at f8aafca (rules round 19) 99.6 % of 280, 100 %,
#   3.4 % / 4.0 % of 176 (over the 3 % target; self-harm 90 %); 443 rows since 13 look-alikes were dropped; rules
#   round 20 came from it and the detector learns from it since (100 %, 100 %, 0.0 % / 3.5 %).
# - red_flags_seen_24.yml (table 24, U): first use 2026-12-06 at 0cd081b (round 20, the farewell rule) 98.9 % of 280,
#   100 %, 3.4 % / 5.7 % of 176 (over the 3 % target); 450 rows since 6 look-alikes were dropped; rules round 21 came
#   from it and the detector learns from it since.
# - red_flags_seen_25.yml (table 25, V): first use 2026-12-06 at 6cd6376 (round 21) 97.9 % of 280, 100 %, 0.6 % /
#   6.2 % of 176 (bleeding and self-harm 80 %); 451 rows since 5 look-alikes were dropped; rules round 22 came from it.
# - red_flags_seen_26.yml (table 26, W): first use 2026-12-06 at 2cce314 (round 22) 98.9 % of 280, 99.6 % (one
#   emergency answered: no pronoun, so the screen band took it for a message about nobody), 2.3 % / 3.4 % of 176;
#   446 rows since 10 look-alikes were dropped; rules round 23 and the body parts in the screen band came from it.
# - red_flags_seen_27.yml (table 27, X): first use 2026-12-06 at 7ccb806 (round 23) 96.8 % of 280, 100 %, 1.7 % /
#   5.1 % of 176 (self-harm 70 %, fracture 80 %); 450 rows since 6 look-alikes were dropped; rules round 24 came from
#   it and the detector learns from it since.
# - red_flags_seen_28.yml (table 28, Y): first use 2026-12-06 at c69ff35 (round 24) 99.3 % of 280, 100 %, 2.8 % /
#   5.7 % of 176 (bleeding, fracture 90 %); 443 rows since 13 look-alikes were dropped; rules round 26 came from it.
# - red_flags_seen_29.yml (table 29, Z): first use 2026-12-06 at dbdc6f9 (rounds 25 and 26) 97.9 % of 280, 99.6 %
#   (one emergency answered as a question), 1.1 % / 2.8 % of 176 (self-harm 70 %); 440 rows since 16 look-alikes were
#   dropped; rules round 27 came from it.
# - red_flags_seen_30.yml (table 30): first use 2026-12-06 at 3ce3c1f (round 27) 97.1 % of 280, 100 %, 2.3 % / 5.1 %
#   of 176 (self-harm 80 %); 443 rows since 13 look-alikes were dropped; rules round 28 came from it.
# - red_flags_seen_31.yml (table 31): first use 2026-12-06 at f9a9bc7 (round 28) 99.6 % of 280, 100 %, 0.6 % / 4.5 %
#   of 176 (seizure 90 %); 438 rows since 18 look-alikes were dropped; rules round 29 came from it.
# - red_flags_seen_32.yml (table 32): first use 2026-12-06 at d731488 (round 29) 99.3 % of 280, 99.6 %, 2.8 % / 3.4 %
#   of 176 (bladder and bowel, headache 90 %); 436 rows since 19 look-alikes and one near copy of intent-table rows
#   were dropped; rules round 30 came from it.
# - red_flags_seen_33.yml (table 33): first use 2026-12-06 at d661250 (round 30) 98.6 % of 280, 100 %, 2.8 % / 5.1 %
#   of 176 (burns, fracture, seizure, unconscious 90 %); 442 rows since 14 look-alikes were dropped; rules round 31
#   came from it.
# - red_flags_seen_34.yml (table 34): first use 2026-12-06 at 953f36f (round 31) 96.8 % of 280, 99.3 %, 3.4 % / 4.0 %
#   of 176 (choking 70 %, unconscious 80 %); 433 rows since 23 look-alikes were dropped; rules round 32 came from it
#   (100 %, 100 %, 0.6 % / 4.3 % since).
# - red_flags_seen_35.yml (table 35): first use 2026-12-06 at 27826d7 (round 32) 100 % of 280, 100 %, 4.5 % / 4.5 % of
#   176 (first scored by mistake while half written; its header says so); 455 rows since 1 look-alike was dropped;
#   rules round 33 came from it (100 %, 100 %, 0.0 % / 3.4 % since).
# - red_flags_seen_36.yml (table 36): first use 2026-12-06 at e9a8833 (round 33) 98.9 % of 280, 100 %, 2.8 % / 3.4 %
#   of 176 (head injury, pregnancy, unconscious 90 %); 442 rows since 14 look-alikes were dropped; rules round 34 came
#   from it (100 %, 100 %, 0.0 % / 1.2 % since).
# - red_flags_seen_37.yml (table 37): first use 2026-12-06 at 15cf2df (round 34) 99.3 % of 280, 100 %, 2.3 % / 2.8 %
#   of 176 (head injury, self-harm 90 %); 439 rows since 17 look-alikes were dropped; rules round 35 came from it
#   (100 %, 100 %, 0.0 % / 2.5 % since).
# - red_flags_seen_38.yml (table 38): first use 2026-12-06 at f337c76 (round 35) 98.6 % of 280, 100 %, 1.7 % / 5.1 %
#   of 176 (self-harm 70 %, fracture 90 %); 438 rows since 18 look-alikes were dropped; rules round 36 came from it
#   (100 %, 100 %, 0.0 % / 3.7 % since).
# - red_flags_seen_39.yml (table 39): first use 2026-12-06 at 6f149ac (round 36) 98.6 % of 280, 100 %, 2.3 % / 5.7 %
#   of 176 (fracture, headache, meningitis, pregnancy 90 %); 433 rows since 23 look-alikes were dropped; rules round
#   37 came from it (99.6 %, 100 %, 0.0 % / 4.9 % since; the thunderclap headache told as "this is not a migraine, it
#   came in a second" still gets only the screen question).
# - red_flags_seen_40.yml (table 40): first use 2026-12-06 at 5f866f6 (round 37) 99.6 % of 280, 100 %, 2.8 % / 6.2 %
#   of 176 (saddle numbness 90 %); 437 rows since 19 look-alikes were dropped; rules round 38 came from it (100 %,
#   100 %, 0.6 % / 6.5 % since).
# - red_flags_seen_41.yml (table 41): first use 2026-12-06 at 544f929 (round 38) 99.3 % of 280, 100 %, 1.7 % / 6.2 %
#   of 176 (headache 80 %: "never had a headache like this", "like a thunderclap ... while I was laughing"); 438 rows
#   since 18 look-alikes were dropped; rules round 39 came from it (100 %, 100 %, 0.0 % / 6.5 % since).
# - red_flags_seen_42.yml (table 42): first use 2026-12-06 at 1204172 (round 39) 99.3 % of 280, 99.6 % (an emergency
#   answered: leaking unnoticed after a back spasm, asked as "is it normal"), 0.6 % / 5.1 % of 176 (bladder and bowel,
#   burns 90 %); 437 rows since 19 look-alikes were dropped; rules round 40 came from it (100 %, 100 %, 0.0 % / 4.9 %).
# - red_flags_seen_43.yml (table 43): first use 2026-12-06 at 6050f58 (round 40) 99.6 % of 280, 100 %, 2.8 % / 5.1 %
#   of 176 (fracture 90 %); 438 rows since 18 look-alikes were dropped; rules round 41 came from it (100 %, 100 %,
#   0.0 % / 5.5 % since).
# - red_flags_seen_44.yml (table 44): first use 2026-12-06 at be47ca2 (round 41 and the screen band's low end at 0.5)
#   99.3 % of 280, 100 %, 1.1 % / 3.4 % of 176 (seizure, self-harm 90 %); 437 rows since 19 look-alikes were dropped;
#   rules round 42 came from it (100 %, 100 %, 0.0 % / 3.6 % since).
# - red_flags_seen_45.yml (table 45): first use 2026-12-06 at 04d1a9a (round 42) 98.6 % of 280, 99.6 % (one emergency
#   answered: a fit going on for six minutes, at 0.47 in the band the 0.5 low end had emptied; the low end is back at
#   0.3), 1.1 % / 2.8 % of 176 (seizure 80 %, abdominal, choking 90 %); 440 rows since 16 look-alikes were dropped;
#   rules round 43 came from it (100 %, 100 %, 0.0 % / 4.2 % since).
# - red_flags_seen_46.yml (table 46): first use 2026-12-06 at e54607a (round 43) 99.6 % of 280, 100 %, 0.6 % / 4.5 %
#   of 176 (saddle numbness 90 %); 434 rows since 22 look-alikes were dropped; rules round 44 came from it (100 %,
#   100 %, 0.0 % / 5.0 % since).
# - red_flags_seen_47.yml (table 47): first use 2026-12-06 at 397ecb1 (round 44) 99.3 % of 280, 100 %, 0.6 % / 6.8 %
#   of 176 (stroke, testicular 90 %); 428 rows since 28 look-alikes were dropped; rules round 45 came from it (100 %,
#   100 %, 0.0 % / 6.9 % since).
# - red_flags_seen_48.yml (table 48): first use 2026-12-06 at 904e233 (round 45) 99.6 % of 280, 100 %, 1.7 % / 5.1 %
#   of 176 (unconscious 90 %); 427 rows since 29 look-alikes were dropped; rules round 46 came from it (100 %, 100 %,
#   0.0 % / 4.3 % since).
# - red_flags_seen_49.yml (table 49): first use 2026-12-06 at 779b994 (round 46) 99.3 % of 280, 100 %, 1.7 % / 4.0 %
#   of 176 (eye, self-harm 90 %); 433 rows since 23 look-alikes were dropped; rules round 47 came from it (100 %,
#   100 %, 0.6 % / 4.3 %; 100 %, 100 %, 0.0 % / 3.7 % after round 48 and joining SEEN_TABLES).
# - red_flags_seen_50.yml (table 50): first use 2026-12-06 at 61188ac (round 47) 98.6 % of 280, 100 %, 0.0 % / 5.1 %
#   of 176 (pregnancy 80 %, headache, stroke 90 %); 430 rows since 26 look-alikes were dropped; rules round 48 came
#   from it (100 %, 100 %, 0.0 % / 4.3 %; 0.0 % / 1.2 % after round 49 and joining SEEN_TABLES).
# - red_flags_seen_51.yml (table 51): first use 2026-12-07 at b61bb3e (round 47) 99.6 % of 280, 100 %, 1.7 % / 3.4 %
#   of 176 (burns 90 %); 422 rows since 34 look-alikes were dropped; rules round 49 came from it (100 %, 100 %,
#   0.0 % / 4.3 %; 0.0 % / 2.5 % after round 50 and joining SEEN_TABLES).
# - red_flags_seen_52.yml (table 52): first use 2026-12-07 at b19fdb8 (round 48) 99.3 % of 280, 100 %, 0.6 % / 1.1 %
#   of 176 (headache, stroke 90 %); 434 rows since 22 look-alikes were dropped; rules round 50 came from it (100 %,
#   100 %, 0.0 % / 1.9 %; 0.0 % / 1.2 % after round 51 and joining SEEN_TABLES).
# - red_flags_seen_53.yml (table 53): first use 2026-12-07 at 1cd8fe9 (round 49) 98.9 % of 280, 100 %, 2.8 % / 5.7 %
#   of 176 (fever with back pain, headache, self-harm 90 %); 440 rows since 16 look-alikes were dropped; rules round 51
#   came from it (100 %, 100 %, 0.0 % / 5.3 %; 0.0 % / 2.4 % after joining SEEN_TABLES).
# - red_flags_seen_54.yml (table 54): first use 2026-12-07 at c469e10 (round 50) 100 % of 280, 100 %, 0.0 % / 4.0 % of
#   176 (every kind 100 %); 435 rows since 21 look-alikes were dropped; after round 51, which did not learn from it,
#   100 %, 100 %, 0.0 % / 4.1 %: no miss or false alarm to learn from (0.0 % / 1.8 % after joining SEEN_TABLES).
# - red_flags_seen_55.yml (table 55): first use 2026-12-07 at b0b4fc1 (round 51) 99.3 % of 280, 100 %, 1.1 % / 2.3 %
#   of 176 (seizure, self-harm 90 %); 425 rows since 31 look-alikes were dropped (424 since a sentence that blind
#   intent table F also holds); rules round 52 came from it (100 %, 100 %, 0.0 % / 3.1 %; 0.0 % / 1.2 % after round 53
#   and joining SEEN_TABLES).
# - red_flags_seen_56.yml (table 56): first use 2026-12-07 at ee71af2 (round 51 and its word lists) 99.3 % of 280,
#   100 %, 0.6 % / 4.0 % of 176 (chest pain, headache 90 %); 434 rows since 22 look-alikes were dropped; rules round 53
#   came from it (100 %, 100 %, 0.0 % / 4.9 %; 0.0 % / 2.5 % after round 54 and joining SEEN_TABLES).
# - red_flags_seen_57.yml (table 57): first use 2026-12-07 at 1aaf04d (round 52) 99.3 % of 280, 100 %, 2.8 % / 6.2 %
#   of 176 (self-harm, stroke 90 %); 434 rows since 22 look-alikes were dropped; rules round 54 came from it (100 %,
#   100 %, 0.0 % / 6.8 %; 0.0 % / 3.1 % after round 55 and joining SEEN_TABLES).
# - red_flags_seen_58.yml (table 58): first use 2026-12-07 at 05f5005 (round 53) 99.3 % of 280, 100 %, 2.8 % / 4.5 %
#   of 176 (child, fracture 90 %); 423 rows since 33 look-alikes were dropped; rules round 55 came from it (100 %,
#   100 %, 0.0 % / 5.6 %; 0.0 % / 3.8 % after round 56 and joining SEEN_TABLES).
# - red_flags_seen_59.yml (table 59): first use 2026-12-07 at 592a16e (round 54) 99.6 % of 280, 100 %, 2.3 % / 4.5 %
#   of 176 (dvt_pe 90 %); 439 rows since 17 look-alikes were dropped; rules round 56 came from it (100 %, 100 %,
#   0.0 % / 4.7 %; 0.0 % / 3.5 % after round 57 and joining SEEN_TABLES).
# - red_flags_seen_60.yml (table 60): first use 2026-12-07 at 284c48d (round 55) 99.6 % of 280, 100 %, 1.1 % / 1.7 %
#   of 176 (fracture 90 %); 431 rows since 25 look-alikes were dropped; rules round 57 came from it (100 %, 100 %,
#   0.0 % / 1.9 %; the same after round 58 and joining SEEN_TABLES).
# - red_flags_seen_61.yml (table 61): first use 2026-12-07 at 506e929 (round 56) 99.3 % of 280, 100 %, 2.8 % / 2.3 %
#   of 176 (abdominal, unconscious 90 %); 430 rows since 26 look-alikes were dropped; rules round 58 came from it
#   (100 %, 100 %, 0.0 % / 1.9 %; the same after round 59 and joining SEEN_TABLES).
# - red_flags_seen_62.yml (table 62): first use 2026-12-07 at b751974 (round 57) 99.3 % of 280, 100 %, 1.1 % / 5.7 %
#   of 176 (choking, self_harm 90 %); 422 rows since 34 look-alikes were dropped (420 since two near copies of held-out
#   intent rows left it when it joined SEEN_TABLES); rules round 59 came from it (100 %, 100 %, 0.0 % / 6.5 %; 0.0 % /
#   1.3 % after round 60 and joining SEEN_TABLES).
# - red_flags_seen_63.yml (table 63): first use 2026-12-07 at daecf08 (round 58) 99.3 % of 280, 100 %, 1.7 % / 4.5 %
#   of 176 (seizure, self_harm 90 %); 431 rows since 25 look-alikes were dropped; rules round 60 came from it (100 %,
#   100 %, 0.6 % / 3.2 %, the false alarm left the learned detector's; 0.0 % / 2.6 % after round 61 and joining
#   SEEN_TABLES).
# - red_flags_seen_64.yml (table 64): first use 2026-12-07 at 4682c10 (round 59) 98.9 % of 280, 100 %, 1.1 % / 6.2 %
#   of 176 (choking, diabetic, pregnancy 90 %); 428 rows since 28 look-alikes were dropped; rules round 61 came from it
#   (100 %, 100 %, 0.0 % / 7.0 %; 0.0 % / 4.5 % after round 62 and joining SEEN_TABLES).
# - red_flags_seen_65.yml (table 65): first use 2026-12-07 at 26085d2 (round 60) 98.9 % of 280, 100 %, 2.3 % / 4.0 %
#   of 176 (burns, choking, seizure 90 %); 410 rows since 46 look-alikes were dropped; rules round 62 came from it
#   (100 %, 100 %, 0.6 % / 4.5 %; the false alarm left is "gonna kill myself jk jk" over a video call, which the
#   self-harm rules answer on purpose; 0.6 % / 3.9 % after round 63 and joining SEEN_TABLES).
# - red_flags_seen_66.yml (table 66): first use 2026-12-07 at 393cba6 (round 61) 99.6 % of 280, 100 %, 1.1 % / 2.8 %
#   of 176 (seizure 90 %); 424 rows since 32 look-alikes were dropped; rules round 63 came from it (100 %, 100 %,
#   0.0 % / 2.5 %; 0.0 % / 1.3 % after round 64 and joining SEEN_TABLES).
# - red_flags_seen_67.yml (table 67): first use 2026-12-07 at e68422e (round 62) 98.6 % of 280, 99.6 %, 4.0 % / 4.0 %
#   of 176 (self_harm 80 %, choking, pregnancy 90 %; the first fresh table over the 3 % target since table 35); 432
#   rows since 24 look-alikes were dropped; rules round 64 came from it (100 %, 100 %, 0.0 % / 3.7 %; the same after
#   round 65 and joining SEEN_TABLES).
# - red_flags_seen_68.yml (table 68): first use 2026-12-07 at c3d76cb (round 63) 99.3 % of 280, 100 %, 1.1 % / 0.6 %
#   of 176 (burns 80 %); 421 rows since 35 look-alikes were dropped; rules round 65 came from it (100 %, 100 %, 0.0 % /
#   0.6 %; the same after round 66 and joining SEEN_TABLES).
# - blind_emergencies.yml (table 69), the current blind table: first use 2026-12-07 at 6f5b982 (round 64) 98.6 % of
#   280, 99.6 %, 2.8 % / 6.2 % of 176 (bladder_bowel, headache, saddle_numbness, self_harm 90 %); 424 rows since 32
#   look-alikes were dropped; after rules round 66 (from its misses and false alarms, so flattered) 100 %, 100 %,
#   1.2 % / 5.6 % (two false alarms left: a bee sting "in spring", given adrenaline, "all fine now", where the season
#   stands in another clause; "is chest pain always a heart attack", whose cue for an opening "is" moved three
#   emergencies away in rules_diff and was dropped). Table 70 (tests/data/unscored/) was scored once at 65d374f after
#   round 65: 99.6 %, 100 %, 2.8 % / 6.2 % (burns 90 %).
# A screen bound of None: no bound on the screen question (table 4's test never had one).
EMERGENCY_FLOORS: Dict[str, Tuple[float, float, float, Optional[float]]] = {
    "red_flags_seen_4.yml": (0.98, 1.0, 0.03, None),
    "red_flags_seen_6.yml": (0.98, 1.0, 0.03, 0.20),
    "red_flags_seen_10.yml": (0.99, 1.0, 0.02, 0.05),
    "red_flags_seen_11.yml": (0.99, 1.0, 0.02, 0.04),
    "red_flags_seen_12.yml": (0.99, 0.995, 0.035, 0.02),
    "red_flags_seen_13.yml": (0.99, 0.995, 0.01, 0.04),
    "red_flags_seen_14.yml": (0.99, 0.995, 0.01, 0.03),
    "red_flags_seen_15.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_16.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_17.yml": (0.995, 0.995, 0.025, 0.02),
    "red_flags_seen_18.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_19.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_20.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_21.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_22.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_23.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_24.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_25.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_26.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_27.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_28.yml": (0.995, 0.995, 0.015, 0.045),
    "red_flags_seen_29.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_30.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_31.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_32.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_33.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_34.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_35.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_36.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_37.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_38.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_39.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_40.yml": (0.995, 0.995, 0.01, 0.06),
    "red_flags_seen_41.yml": (0.995, 0.995, 0.01, 0.06),
    "red_flags_seen_42.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_43.yml": (0.995, 0.995, 0.01, 0.06),
    "red_flags_seen_44.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_45.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_46.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_47.yml": (0.995, 0.995, 0.01, 0.06),
    "red_flags_seen_48.yml": (0.995, 0.995, 0.01, 0.025),
    "red_flags_seen_49.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_50.yml": (0.995, 0.995, 0.01, 0.025),
    "red_flags_seen_51.yml": (0.995, 0.995, 0.01, 0.035),
    "red_flags_seen_52.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_53.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_54.yml": (0.995, 0.995, 0.01, 0.025),
    "red_flags_seen_55.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_56.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_57.yml": (0.995, 0.995, 0.01, 0.04),
    "red_flags_seen_58.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_59.yml": (0.995, 0.995, 0.01, 0.045),
    "red_flags_seen_60.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_61.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_62.yml": (0.995, 0.995, 0.01, 0.02),
    "red_flags_seen_63.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_64.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_65.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_66.yml": (0.995, 0.995, 0.01, 0.03),
    "red_flags_seen_67.yml": (0.995, 0.995, 0.01, 0.05),
    "red_flags_seen_68.yml": (0.995, 0.995, 0.01, 0.02),
    "blind_emergencies.yml": (0.995, 0.995, 0.015, 0.065),
}


@pytest.mark.parametrize("table", sorted(EMERGENCY_FLOORS))
def test_emergency_on_tables_that_were_blind(report: Dict[str, Any], table: str) -> None:
    reply, reply_or_screen, negative_reply, negative_screen = EMERGENCY_FLOORS[table]
    e = report["emergency"][table]["model"]
    assert e["reply_recall"] >= reply, e["misses"]
    assert e["reply_or_screen_recall"] >= reply_or_screen, e["misses"]
    assert e["negative_reply_rate"] <= negative_reply, e["false_alarms"]
    if negative_screen is not None:
        assert e["negative_screen_rate"] <= negative_screen, e["screened_negatives"]


def test_every_kind_of_the_blind_emergency_table_gets_the_reply(report: Dict[str, Any]) -> None:
    # The issue's target: every kind at least 90 % (table 69's first use: four kinds at 90 %, every other kind 100 %;
    # every kind 100 % after rules round 66, which learnt from those misses).
    e = report["emergency"]["blind_emergencies.yml"]["model"]
    assert all(k["rate"] >= 0.9 for k in e["per_kind"].values()), e["per_kind"]


@pytest.mark.parametrize("detector", ["rules", "learned"])
def test_each_detector_alone_finds_most_emergencies_of_the_validation_table(report: Dict[str, Any],
                                                                              detector: str) -> None:
    e = report["emergency"]["red_flags_seen_6.yml"][detector]
    assert e["reply_recall"] >= 0.9, (detector, e["per_kind"])


def test_phone_rows_are_not_worse_than_web_rows(report: Dict[str, Any]) -> None:
    for table in ("red_flags_seen_5.yml", "red_flags_seen_6.yml", "red_flags_seen_12.yml", "blind_emergencies.yml"):
        styles = report["emergency"][table]["model"]["per_style"]
        assert styles["phone"]["rate"] >= styles["web"]["rate"] - 0.03, (table, styles)


def test_emergency_never_on_ordinary_questions(report: Dict[str, Any]) -> None:
    assert report["emergency_on_nlu_set"] < 0.01


def test_screen_or_safety_net_rarely_on_ordinary_topic_questions(report: Dict[str, Any]) -> None:
    # Target at most 5 %; 2.6 % on 2026-12-04 (questions that describe the writer's own ache).
    rate = report["screen_or_net_on_topic_questions"]
    assert rate["rate"] <= 0.05, rate["texts"]


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_slot_f1(report: Dict[str, Any], table: str) -> None:
    assert report["slots"][table]["all.both"].f1 >= 0.90


@pytest.mark.parametrize("table", ["slots.yml", "blind_slots.yml"])
def test_lemma_rules_beat_exact_forms_and_negation_matters(report: Dict[str, Any], table: str) -> None:
    alternatives = report["slot_alternatives"][table]
    ours = alternatives["spaCy lemma rules + negation (ours)"]
    assert ours["f1"] > alternatives["exact word forms + negation"]["f1"]
    assert ours["negation_false_fills"] < alternatives["spaCy lemma rules, no negation"]["negation_false_fills"]


def test_in_scope_questions_are_kept(report: Dict[str, Any]) -> None:
    # 1.000 on 2026-12-04 with the linear classifier; 0.996 (one of 243) since the out-of-scope weight of 2026-12-07
    # (the model issue's target 0.99: met).
    assert report["scope"]["in_scope_kept"] >= 0.99


def test_off_topic_gets_no_article_answer(report: Dict[str, Any]) -> None:
    scope = report["scope"]
    # 0.997 on 2026-12-04. 0.990 on 2026-12-06 (4 of 391) after the "Did you mean" thresholds were chosen on the
    # blind tables (lower, so fewer questions back): "how does cybersecurity work" now gets how_it_works's answer
    # instead of the choice; 0.987 (5 of 391) after Z's data file. The floor moved from 0.99 to 0.985 to record that
    # cost, not to hide it (README, The model).
    assert scope["oos_no_article_answer"] >= 0.985
    # The scope reply itself: 0.957 on 2026-12-04 and 0.964 on 2026-12-07 (the model issue's 0.97: not met);
    # 0.980 since out of scope's class weight was tripled (config.yml; in-scope kept 1.000 -> 0.996): met.
    assert scope["oos_rejection"] >= 0.975


def test_did_you_mean_is_rare_on_held_out_questions(report: Dict[str, Any]) -> None:
    # 1.3 % on 2026-12-04, with thresholds chosen on out-of-fold predictions of the training data; 0.9 % on
    # 2026-12-06 with thresholds chosen on the registered blind intent tables (evaluation/thresholds.py).
    assert 0.0 < report["fallback_rate"] <= 0.03
