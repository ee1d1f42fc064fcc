"""Error codes of the interviews and focus groups strand (E3600-E3699).

Transcripts and their de-identification, name lists, codebooks, topic guides, the fieldwork
tables (interviews, participants, consent), codings, memos, codebook edits, reconciliation and
REFI-QDA (``.qdpx``, ``.qdc``) exchange.
"""

from __future__ import annotations

ERROR_CODES: dict[str, str] = {
    "CSC-E3601": "Transcript: the file cannot be read (not .docx, .txt, .vtt or .srt, not UTF-8 "
    "text, or empty).",
    "CSC-E3602": "Transcript or archive: the file is larger than allowed.",
    "CSC-E3603": "Archive (.docx or .qdpx): not a zip file, too many entries, too large when "
    "uncompressed, or an entry with an unsafe path; nothing was read.",
    "CSC-E3604": "XML inside a .docx or .qdpx cannot be parsed, or declares a DTD or entities "
    "(refused: they are never resolved).",
    "CSC-E3605": "Transcript: no speaker turns found, or a line has no 'Speaker: text' prefix.",
    "CSC-E3606": "Transcript (VTT/SRT): a cue's timestamp line is malformed.",
    "CSC-E3607": "Transcript: a speaker is not mapped to a pseudonym (R-... for participants, "
    "I-... for interviewers).",
    "CSC-E3608": "Transcript: the transcript id is not an interview in data/interviews.csv, or "
    "it is already stored.",
    "CSC-E3611": "Name lists (interviews/names.toml): not TOML, or a field is missing or of the "
    "wrong type.",
    "CSC-E3612": "Codebook: not TOML, or a field is missing, unknown or of the wrong type.",
    "CSC-E3613": "Codebook: two codes share an id, a parent is unknown, or parents form a circle.",
    "CSC-E3614": "Topic guide: not TOML, or a field is missing or of the wrong type.",
    "CSC-E3615": "Codebook edit: a merge or split names a code not in the codebook, or a new "
    "code id that is already taken.",
    "CSC-E3616": "Codebook file (.qdc): not a REFI-QDA codebook (no CodeBook element in the "
    "urn:QDA-XML:codebook:1.0 namespace), or it has no codes.",
    "CSC-E3617": "Codebook import (.qdc): the project already has a codebook.",
    "CSC-E3621": "Interviews: the LA is not a site, or the time point is not in evaluation.toml.",
    "CSC-E3622": "Interview attendance: the interview or the participant is unknown, or the "
    "participant's LA is not the interview's.",
    "CSC-E3623": "Consent: a participant has no consent record, a record names an unknown "
    "participant, or consent is withdrawn before it was given.",
    "CSC-E3624": "Transcript turns: the transcript is not an interview, or the speaker is "
    "neither an interviewer (I-...) nor a participant who attended it.",
    "CSC-E3625": "Codings: the transcript is not stored, or the turns are out of range or "
    "reversed.",
    "CSC-E3626": "Codings: the code is not in the codebook, or is not codable.",
    "CSC-E3627": "Codings: a segment's offsets lie outside its turns' text, or its quote is not "
    "the text they select.",
    "CSC-E3628": "A pseudonym does not look like one (R-... for participants, I-... for "
    "interviewers, C-... for coders).",
    "CSC-E3629": "Memos: the target (transcript or coding id) is not in the project, or the "
    "creation time is not ISO 8601.",
    "CSC-E3631": "REFI-QDA: the archive has no project.qde, or it is not a QDA-XML 1.0 project.",
    "CSC-E3632": "REFI-QDA: a selection lies outside its source's text, or refers to an unknown "
    "code.",
    "CSC-E3633": "REFI-QDA: a text source has no text (no PlainTextContent and no readable "
    "plainTextPath inside the archive).",
    "CSC-E3634": "Reconciliation: a decision names a unit that is not a disagreement, is decided "
    "twice, is not apply/omit, or the reconciler is not a C-... pseudonym.",
    "CSC-E3641": "Command: the output file or the project folder cannot be written.",
    "CSC-E3681": "Interviews (web): an interview with this id is already in the plan, or the "
    "participant pseudonym is taken.",
    "CSC-E3682": "Interviews (web): the segment lies outside its turn (characters), the turn does "
    "not exist, or the memo's target is unknown.",
    "CSC-E3683": "Interviews (web): someone else saved the memo after you opened it; nothing was "
    "overwritten.",
    "CSC-E3685": "Interviews (web): blind double coding: the transcript is assigned to other "
    "coders, your coding is marked done, it is reconciled, both coders are not done yet, or a "
    "disagreement was left undecided.",
    "CSC-E3686": "Interviews (web): the interview already has a transcript.",
    "CSC-E3687": "Interviews (web): the new code's id is already in the codebook, or its parent "
    "is unknown.",
}
