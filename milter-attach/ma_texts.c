/*
 * ma_texts.c - built-in texts of milter-attach (see ma_texts.h)
 */
#include <stddef.h>

#include "ma_texts.h"
#include "mg_text.h"

const char *const ma_vars_size[] = { "limit", "service", "url", NULL };
const char *const ma_vars_banned[] = { "file", "ext", "rule", NULL };
const char *const ma_vars_magic[] = { "file", "mime", NULL };
const char *const ma_vars_structure[] = { "anomaly", NULL };
const char *const ma_vars_notice[] = { "sender", "date", "subject", "file",
				       "reason", "rcpt", NULL };
const char *const ma_vars_names_encrypted[] = { "service", "url", NULL };

static const char *const texts_fr[MA_T_COUNT] = {
	[MA_T_SIZE] = "Message trop volumineux: la limite est de %{limit} "
		"(charte de messagerie). Pour envoyer de gros fichiers, utilisez "
		"le service %{service}: %{url}",
	[MA_T_BANNED] = "Piece jointe interdite \"%{file}\" (extension %{ext}): "
		"%{rule}",
	[MA_T_MAGIC] = "Piece jointe interdite \"%{file}\": contenu executable "
		"(%{mime}) refuse par la charte de messagerie",
	[MA_T_STRUCTURE] = "Message refuse: structure MIME non analysable "
		"(%{anomaly}); la charte de messagerie impose le controle des "
		"pieces jointes",
	[MA_T_NOTICE_SUBJECT] = "Message non distribué : pièce jointe interdite "
		"(%{file})",
	[MA_T_NOTICE_BODY] =
		"Bonjour,\n\n"
		"Un message qui vous était adressé n'a pas été distribué.\n\n"
		"  Expéditeur : %{sender}\n"
		"  Date       : %{date}\n"
		"  Objet      : %{subject}\n"
		"  Fichier    : %{file}\n"
		"  Motif      : %{reason}\n\n"
		"La charte de messagerie interdit la réception de pièces jointes "
		"exécutables (.exe, .com, .pif, .reg, .scr, .vbs), y compris dans "
		"une archive. Si ce fichier est légitime, demandez à l'expéditeur "
		"de le renommer et de vous prévenir, ou d'utiliser le service de "
		"transfert de fichiers volumineux.\n\n"
		"Ce message est envoyé automatiquement : merci de ne pas y "
		"répondre.\n",
	[MA_T_RULE_EXT] = "les pieces jointes executables (.exe .com .pif .reg "
		".scr .vbs), y compris dans une archive, sont interdites par la "
		"charte de messagerie",
	[MA_T_RULE_BAN] = "type de fichier temporairement interdit (alerte de "
		"securite)",
	[MA_T_RULE_MAGIC] = "contenu executable interdit",
	[MA_T_RULE_STRUCTURE] = "structure du message non analysable",
	[MA_T_RULE_SIZE] = "message trop volumineux",
	[MA_T_TEMPFAIL] = "Erreur temporaire du controle des pieces jointes, "
		"reessayez plus tard",
	[MA_T_NOTICE_RULE_EXT] = "les pièces jointes exécutables (.exe .com .pif "
		".reg .scr .vbs), y compris dans une archive, sont interdites par "
		"la charte de messagerie",
	[MA_T_NOTICE_RULE_BAN] = "type de fichier temporairement interdit "
		"(alerte de sécurité)",
	[MA_T_NOTICE_RULE_MAGIC] = "contenu exécutable interdit",
	[MA_T_NAMES_ENCRYPTED] = "Message refuse: une archive jointe chiffre les "
		"noms de ses fichiers (7z ou RAR avec mot de passe sur les noms); la "
		"charte de messagerie impose de controler ces noms. Envoyez une "
		"archive zip dont les noms de fichiers sont visibles, ou utilisez "
		"le service %{service}: %{url}",
};

static const char *const texts_en[MA_T_COUNT] = {
	[MA_T_SIZE] = "Message too large: the limit is %{limit} (mail charter). "
		"To send large files, use the %{service} service: %{url}",
	[MA_T_BANNED] = "Forbidden attachment \"%{file}\" (extension %{ext}): "
		"%{rule}",
	[MA_T_MAGIC] = "Forbidden attachment \"%{file}\": executable content "
		"(%{mime}) refused by the mail charter",
	[MA_T_STRUCTURE] = "Message refused: MIME structure cannot be checked "
		"(%{anomaly}); the mail charter requires attachments to be checked",
	[MA_T_NOTICE_SUBJECT] = "Undelivered message: forbidden attachment "
		"(%{file})",
	[MA_T_NOTICE_BODY] =
		"Hello,\n\n"
		"A message addressed to you was not delivered.\n\n"
		"  From    : %{sender}\n"
		"  Date    : %{date}\n"
		"  Subject : %{subject}\n"
		"  File    : %{file}\n"
		"  Reason  : %{reason}\n\n"
		"The mail charter forbids executable attachments (.exe, .com, .pif, "
		".reg, .scr, .vbs), also inside archives. If the file is legitimate, "
		"ask the sender to rename it and tell you, or to use the large-file "
		"transfer service.\n\n"
		"This message was sent automatically; please do not reply.\n",
	[MA_T_RULE_EXT] = "executable attachments (.exe .com .pif .reg .scr "
		".vbs), also inside archives, are forbidden by the mail charter",
	[MA_T_RULE_BAN] = "file type temporarily forbidden (security alert)",
	[MA_T_RULE_MAGIC] = "executable content forbidden",
	[MA_T_RULE_STRUCTURE] = "message structure cannot be checked",
	[MA_T_RULE_SIZE] = "message too large",
	[MA_T_TEMPFAIL] = "Temporary error in the attachment check, try again "
		"later",
	[MA_T_NOTICE_RULE_EXT] = "executable attachments (.exe .com .pif .reg "
		".scr .vbs), also inside archives, are forbidden by the mail charter",
	[MA_T_NOTICE_RULE_BAN] = "file type temporarily forbidden (security alert)",
	[MA_T_NOTICE_RULE_MAGIC] = "executable content forbidden",
	[MA_T_NAMES_ENCRYPTED] = "Message refused: an attached archive encrypts "
		"the names of its files (7z or RAR with a password on names); the "
		"mail charter requires these names to be checked. Send a zip "
		"archive whose file names are visible, or use the %{service} "
		"service: %{url}",
};

/* ma_text_default - built-in text (French unless lang is MG_LANG_EN) */
const char *
ma_text_default(enum ma_text_id id, int lang)
{
	if (id < 0 || id >= MA_T_COUNT)
		return "";
	return lang == MG_LANG_EN ? texts_en[id] : texts_fr[id];
}
