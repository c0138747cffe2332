#ifndef QUOTA_WARN_PLUGIN_H
#define QUOTA_WARN_PLUGIN_H

/*
 * quota-warn-plugin.h - what the plugin exports to Dovecot, nothing more
 */
#include "module-dir.h"

#define QW_EXPORT __attribute__((visibility("default")))

QW_EXPORT extern const char *quota_warn_plugin_dependencies[];
QW_EXPORT extern const char *quota_warn_plugin_version;

QW_EXPORT void quota_warn_plugin_init(struct module *module);
QW_EXPORT void quota_warn_plugin_deinit(void);

#endif
